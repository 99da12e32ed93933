/**
 * Command writes: a profile key or a raw address plus a value, mapped to one write request
 * [Modbus AP v1.1b3 §6.5 FC5, §6.6 FC6, §6.11 FC15, §6.12 FC16]:
 *   coil + boolean → FC5            coil + boolean[] → FC15
 *   holding, 1 register → FC6       holding, more registers or number[] → FC16
 * Inputs and discrete inputs are read-only. A raw number address is a 0-based holding
 * register; a Modicon string picks the table ("00001" coil 0, "40001" holding 0).
 * A BIT point in a holding register becomes a BitWrite: the driver sends FC22 Mask Write
 * Register [§6.16] or reads (FC3) and writes (FC6) the register back with the bit changed.
 */
import { CityTwinError } from "@citytwin/model";
import { bitMasks, encodeRegisters } from "../../modbus/encode";
import { parseModbusAddress, type ResolvedPoint } from "../../modbus/point";
import type { WriteRequest } from "./transport";

export type WriteValue = number | boolean | string | number[] | boolean[];

/** One bit of a holding register, written with FC22 masks or by read-modify-write. */
export interface BitWrite {
  kind: "bit";
  address: number;
  bit: number;
  value: boolean;
  andMask: number;
  orMask: number;
}

export type WritePlan = WriteRequest | BitWrite;

function bad(message: string): CityTwinError {
  return new CityTwinError("MODBUS_VALUE", message);
}

const isBools = (v: WriteValue): v is boolean[] => Array.isArray(v) && v.every((x) => typeof x === "boolean");
const isWords = (v: WriteValue): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 0xffff);

/** Builds the write request; throws CityTwinError MODBUS_VALUE for an unwritable target/value. */
export function writeRequest(
  target: string | number,
  value: WriteValue,
  points: ReadonlyMap<string, ResolvedPoint>,
): WritePlan {
  const point = typeof target === "string" ? points.get(target) : undefined;
  if (point !== undefined) return pointRequest(point, value);
  let addr;
  try {
    addr = parseModbusAddress(target);
  } catch {
    throw bad(`unknown key or address "${target}"`);
  }
  if (addr.table === "coil") {
    if (typeof value === "boolean") return { fc: 5, address: addr.address, value };
    if (isBools(value) && value.length >= 1 && value.length <= 1968) {
      return { fc: 15, address: addr.address, values: value };
    }
    throw bad(`coil ${addr.address} needs a boolean or 1..1968 booleans`);
  }
  if (addr.table !== "holding") throw bad(`${addr.table} ${addr.address} is read-only`);
  if (typeof value === "number" && Number.isInteger(value) && value >= -32768 && value <= 0xffff) {
    return { fc: 6, address: addr.address, value: value & 0xffff };
  }
  if (isWords(value) && value.length >= 1 && value.length <= 123) {
    return { fc: 16, address: addr.address, values: value };
  }
  throw bad(`holding ${addr.address} needs an integer -32768..65535 or 1..123 register words`);
}

function pointRequest(p: ResolvedPoint, value: WriteValue): WritePlan {
  if (p.table === "coil") {
    if (typeof value !== "boolean") throw bad(`${p.key}: coil needs a boolean`);
    return { fc: 5, address: p.address, value };
  }
  if (p.table !== "holding") throw bad(`${p.key}: ${p.table} registers are read-only`);
  if (Array.isArray(value)) throw bad(`${p.key}: needs a single value`);
  if (p.type === "BIT") {
    if (typeof value !== "boolean" && value !== 0 && value !== 1)
      throw bad(`${p.key}: BIT needs a boolean (or 0/1)`);
    const on = value === true || value === 1;
    return { kind: "bit", address: p.address, bit: p.bit, value: on, ...bitMasks(p.bit, on) };
  }
  const words = encodeRegisters(value, p);
  const first = words[0];
  if (words.length === 1 && first !== undefined) return { fc: 6, address: p.address, value: first };
  return { fc: 16, address: p.address, values: words };
}
