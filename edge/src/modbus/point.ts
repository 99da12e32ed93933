/**
 * Modbus point resolution: table + 0-based protocol address + width, checked against the type.
 * Address forms [Modbus AP v1.1b3 §4.4: the PDU addresses 0..65535]:
 *   - a number: 0-based protocol address in `register` (default holding);
 *   - a Modicon reference "TNNNN" or "TNNNNN": T = 0 coil, 1 discrete input, 3 input register,
 *     4 holding register; NNNN is 1-based, so "40001" is holding 0 and "30011" input 10.
 */
import { CityTwinError } from "@citytwin/model";
import type { ModbusPoint } from "../config/schema";
import type { BYTE_ORDERS, MODBUS_TYPES, REGISTER_TABLES } from "../config/schema";

export type RegisterTable = (typeof REGISTER_TABLES)[number];
export type ModbusType = (typeof MODBUS_TYPES)[number];
export type ByteOrder = (typeof BYTE_ORDERS)[number];

export interface ModbusAddress {
  table: RegisterTable;
  address: number;
}

/** A point ready for planning and decoding. `width` is in registers, or in bits for coil/discrete. */
export interface ResolvedPoint {
  key: string;
  table: RegisterTable;
  address: number;
  width: number;
  type: ModbusType;
  byteOrder: ByteOrder;
  bit: number;
  scale: number;
  offset: number;
}

const MODICON_PREFIX: Record<string, RegisterTable> = {
  "0": "coil",
  "1": "discrete",
  "3": "input",
  "4": "holding",
};

function invalid(message: string): CityTwinError {
  return new CityTwinError("CONFIG_INVALID", message);
}

export function parseModbusAddress(address: number | string, register?: RegisterTable): ModbusAddress {
  if (typeof address === "number") {
    if (!Number.isInteger(address) || address < 0 || address > 65535) {
      throw invalid(`address ${address} is outside 0..65535`);
    }
    return { table: register ?? "holding", address };
  }
  const m = /^([0134])(\d{4,5})$/.exec(address);
  const table = m?.[1] === undefined ? undefined : MODICON_PREFIX[m[1]];
  if (m?.[2] === undefined || table === undefined) {
    throw invalid(`"${address}" is not a Modicon reference (0xxxx, 1xxxx, 3xxxx, 4xxxx)`);
  }
  const ref = Number(m[2]);
  if (ref < 1 || ref > 65536) throw invalid(`"${address}": Modicon references are 1-based, 1..65536`);
  if (register !== undefined && register !== table) {
    throw invalid(`"${address}" is a ${table} reference but register is "${register}"`);
  }
  return { table, address: ref - 1 };
}

/** Registers a value of `type` occupies; for STRING, `length` registers (2 chars each). */
export function registerWidth(type: ModbusType, length?: number): number {
  switch (type) {
    case "INT16":
    case "UINT16":
    case "BIT":
      return 1;
    case "INT32":
    case "UINT32":
    case "FLOAT32":
      return 2;
    case "INT64":
    case "UINT64":
    case "FLOAT64":
      return 4;
    case "STRING":
      return length ?? 1;
  }
}

export function isBitTable(table: RegisterTable): boolean {
  return table === "coil" || table === "discrete";
}

/** Resolves and checks one point; throws CityTwinError("CONFIG_INVALID") naming the problem. */
export function resolveModbusPoint(point: ModbusPoint): ResolvedPoint {
  const { table, address } = parseModbusAddress(point.address, point.register);
  const bitTable = isBitTable(table);
  if (bitTable && point.type !== "BIT") {
    throw invalid(`type ${point.type} cannot be read from ${table}s; use BIT`);
  }
  if (bitTable && point.bit !== undefined) throw invalid(`bit is only for BIT in holding/input registers`);
  if (point.type !== "BIT" && point.bit !== undefined) throw invalid(`bit is only for type BIT`);
  if (point.type === "STRING" && point.length === undefined) throw invalid(`type STRING needs length`);
  if (point.type !== "STRING" && point.length !== undefined) throw invalid(`length is only for type STRING`);
  const width = bitTable ? 1 : registerWidth(point.type, point.length);
  if (address + width > 65536) throw invalid(`address ${address} + ${width} runs past 65535`);
  return {
    key: point.key,
    table,
    address,
    width,
    type: point.type,
    byteOrder: point.byteOrder,
    bit: point.bit ?? 0,
    scale: point.scale,
    offset: point.offset,
  };
}
