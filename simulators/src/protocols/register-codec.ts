/**
 * Our own Modbus register encoding (independent of the edge agent's decoder, so tests of one
 * check the other). Registers are 16-bit words sent big-endian on the wire
 * [Modbus AP v1.1b3 §4.2]; multi-register values follow the device's byte order:
 *
 *   ABCD  big-endian             32-bit [AB][CD]   64-bit [AB][CD][EF][GH]
 *   CDAB  word-swapped           32-bit [CD][AB]   64-bit [GH][EF][CD][AB]
 *   BADC  byte-swapped words     32-bit [BA][DC]   64-bit [BA][DC][FE][HG]
 *   DCBA  little-endian          32-bit [DC][BA]   64-bit [HG][FE][DC][BA]
 *
 * For 16-bit types only the first two letters apply: ABCD/CDAB → [AB], BADC/DCBA → [BA].
 * raw = (value − offset) / scale, rounded (half away from zero) and clamped for integer types.
 */
import { CityTwinError } from "@citytwin/model";

export type RegisterTable = "holding" | "input" | "coil" | "discrete";
export type ByteOrder = "ABCD" | "DCBA" | "BADC" | "CDAB";
export type NumericType =
  "INT16" | "UINT16" | "INT32" | "UINT32" | "INT64" | "UINT64" | "FLOAT32" | "FLOAT64";

/** The subset of a profile point this codec needs (edge's ModbusPoint satisfies it). */
export interface RegisterPoint {
  register?: RegisterTable;
  address: number | string;
  type: string;
  byteOrder: ByteOrder;
  scale: number;
  offset: number;
}

const WIDTH: Readonly<Record<NumericType, number>> = {
  INT16: 2,
  UINT16: 2,
  INT32: 4,
  UINT32: 4,
  INT64: 8,
  UINT64: 8,
  FLOAT32: 4,
  FLOAT64: 8,
};

const MODICON_TABLE: Readonly<Record<string, RegisterTable>> = {
  "0": "coil",
  "1": "discrete",
  "3": "input",
  "4": "holding",
};

function numericType(type: string): NumericType {
  if (type in WIDTH) return type as NumericType;
  throw new CityTwinError("SIM_MODBUS_TYPE", `register type ${type} is not supported by the simulator`);
}

/** Number of 16-bit registers a value of `type` occupies. */
export function registerCount(type: string): number {
  return WIDTH[numericType(type)] / 2;
}

/**
 * Resolves a point's table and 0-based protocol address. Modicon references map by their
 * first digit: "40001" → holding 0, "30011" → input 10 (5- or 6-digit forms).
 */
export function resolveAddress(point: Pick<RegisterPoint, "register" | "address">): {
  table: RegisterTable;
  address: number;
} {
  if (typeof point.address === "number")
    return { table: point.register ?? "holding", address: point.address };
  const table = MODICON_TABLE[point.address.charAt(0)];
  const address = Number.parseInt(point.address.slice(1), 10) - 1;
  if (table === undefined || !(address >= 0 && address <= 65535)) {
    throw new CityTwinError("SIM_MODBUS_ADDRESS", `bad Modicon reference ${point.address}`);
  }
  if (point.register !== undefined && point.register !== table) {
    throw new CityTwinError(
      "SIM_MODBUS_ADDRESS",
      `Modicon reference ${point.address} is a ${table} register but register: ${point.register} was given`,
    );
  }
  return { table, address };
}

function order(words: number[], byteOrder: ByteOrder): number[] {
  const wordSwap = byteOrder === "CDAB" || byteOrder === "DCBA";
  const byteSwap = byteOrder === "BADC" || byteOrder === "DCBA";
  const out = wordSwap && words.length > 1 ? [...words].reverse() : words;
  return byteSwap ? out.map((w) => ((w & 0xff) << 8) | (w >>> 8)) : out;
}

function clampInt(x: number, min: number, max: number): number {
  const r = Math.sign(x) * Math.round(Math.abs(x));
  return r < min ? min : r > max ? max : r;
}

/** Engineering value → register words in wire order. */
export function encodeValue(value: number, point: RegisterPoint): number[] {
  const type = numericType(point.type);
  const raw = (value - point.offset) / point.scale;
  const buf = Buffer.alloc(WIDTH[type]);
  switch (type) {
    case "INT16":
      buf.writeInt16BE(clampInt(raw, -0x8000, 0x7fff));
      break;
    case "UINT16":
      buf.writeUInt16BE(clampInt(raw, 0, 0xffff));
      break;
    case "INT32":
      buf.writeInt32BE(clampInt(raw, -0x80000000, 0x7fffffff));
      break;
    case "UINT32":
      buf.writeUInt32BE(clampInt(raw, 0, 0xffffffff));
      break;
    case "INT64":
      buf.writeBigInt64BE(BigInt(clampInt(raw, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)));
      break;
    case "UINT64":
      buf.writeBigUInt64BE(BigInt(clampInt(raw, 0, Number.MAX_SAFE_INTEGER)));
      break;
    case "FLOAT32":
      buf.writeFloatBE(raw);
      break;
    case "FLOAT64":
      buf.writeDoubleBE(raw);
      break;
  }
  const words: number[] = [];
  for (let i = 0; i < buf.length; i += 2) words.push(buf.readUInt16BE(i));
  return order(words, point.byteOrder);
}

/** Register words in wire order → engineering value (the inverse of encodeValue). */
export function decodeWords(words: readonly number[], point: RegisterPoint): number {
  const type = numericType(point.type);
  const n = WIDTH[type] / 2;
  if (words.length !== n)
    throw new CityTwinError("SIM_MODBUS_WORDS", `${type} needs ${n} registers, got ${words.length}`);
  // order() is an involution for every byte order, so it also undoes itself.
  const canonical = order([...words], point.byteOrder);
  const buf = Buffer.alloc(WIDTH[type]);
  canonical.forEach((w, i) => buf.writeUInt16BE(w & 0xffff, i * 2));
  let raw: number;
  switch (type) {
    case "INT16":
      raw = buf.readInt16BE();
      break;
    case "UINT16":
      raw = buf.readUInt16BE();
      break;
    case "INT32":
      raw = buf.readInt32BE();
      break;
    case "UINT32":
      raw = buf.readUInt32BE();
      break;
    case "INT64":
      raw = Number(buf.readBigInt64BE());
      break;
    case "UINT64":
      raw = Number(buf.readBigUInt64BE());
      break;
    case "FLOAT32":
      raw = buf.readFloatBE();
      break;
    case "FLOAT64":
      raw = buf.readDoubleBE();
      break;
  }
  return raw * point.scale + point.offset;
}
