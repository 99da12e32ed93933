/**
 * Encoding of values into register words for FC6/FC16 writes: the inverse of decode.ts.
 * Each byte order is a permutation that is its own inverse (reverse, swap within words, swap
 * words), so the big-endian value bytes pass through the same `orderedBytes` rearrangement.
 * Scale/offset are undone first: raw = (value - offset) / scale, rounded for 16/32-bit integers.
 * INT64/UINT64 are encoded exactly through BigInt: the raw value must be an integer (no
 * rounding) within the type's range. A JS number is exact only up to 2^53, so beyond that the
 * value must come as a decimal string ("9223372036854775807") or a bigint; a number whose raw
 * value lies beyond 2^53 is refused, as it may already have been rounded. Strings and bigints
 * are exact with scale 1 and an integer offset; with another scale they go through a number.
 */
import { CityTwinError } from "@citytwin/model";
import { orderedBytes } from "./decode";
import type { ResolvedPoint } from "./point";

function invalid(message: string): CityTwinError {
  return new CityTwinError("MODBUS_VALUE", message);
}

const INT_RANGE: Record<string, [bigint, bigint]> = {
  INT16: [-(2n ** 15n), 2n ** 15n - 1n],
  UINT16: [0n, 2n ** 16n - 1n],
  INT32: [-(2n ** 31n), 2n ** 31n - 1n],
  UINT32: [0n, 2n ** 32n - 1n],
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
  UINT64: [0n, 2n ** 64n - 1n],
};

function words(be: Buffer, p: ResolvedPoint): number[] {
  const ordered = orderedBytes(bufferWords(be), 0, be.length / 2, p.byteOrder);
  return bufferWords(ordered);
}

function bufferWords(b: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < b.length; i += 2) out.push(b.readUInt16BE(i));
  return out;
}

const DECIMAL_INTEGER = /^[+-]?\d+$/;

/** The exact raw integer of a 64-bit point for `value`; throws unless it is one, exact and in range. */
function raw64(value: number | bigint | string, p: ResolvedPoint): bigint {
  const [min, max] = INT_RANGE[p.type] ?? [0n, -1n];
  const checked = (n: bigint): bigint => {
    if (n < min || n > max)
      throw invalid(`${p.key}: ${value} is out of range for ${p.type} (${min}..${max})`);
    return n;
  };
  const exactScale = p.scale === 1 && Number.isInteger(p.offset);
  let v: number;
  if (typeof value === "bigint" || (typeof value === "string" && DECIMAL_INTEGER.test(value))) {
    if (exactScale) return checked(BigInt(value) - BigInt(p.offset));
    v = Number(value);
  } else if (typeof value === "number" && Number.isFinite(value)) v = value;
  else throw invalid(`${p.key}: ${p.type} needs a finite number or a decimal integer string`);
  const raw = exactScale ? v - p.offset : (v - p.offset) / p.scale;
  const n = Math.round(raw);
  // With a scale, allow for binary fractions (0.3 / 0.1 = 2.9999999999999996); never round 0.5.
  const slack = exactScale ? 0 : 1e-9 * Math.max(1, Math.abs(n));
  if (Math.abs(raw - n) > slack) throw invalid(`${p.key}: ${value} is not an integer ${p.type} value`);
  checked(BigInt(n));
  if (!Number.isSafeInteger(n))
    throw invalid(
      `${p.key}: raw ${p.type} ${n} lies beyond 2^53, where a number may already have been rounded; ` +
        `give such values as a decimal string (exact with scale 1 and an integer offset)`,
    );
  return BigInt(n);
}

/** Register words to write for `value` at point `p` (not for BIT: see write.ts, FC22 or read-modify-write). */
export function encodeRegisters(value: number | boolean | string | bigint, p: ResolvedPoint): number[] {
  if (p.type === "BIT") throw invalid(`${p.key}: a BIT in a register is written with a mask, not words`);
  if (p.type === "STRING") {
    if (typeof value !== "string") throw invalid(`${p.key}: STRING needs a string value`);
    const buf = Buffer.alloc(p.width * 2);
    if (Buffer.byteLength(value, "latin1") > buf.length)
      throw invalid(`${p.key}: longer than ${buf.length} chars`);
    buf.write(value, "latin1");
    if (p.byteOrder === "BADC" || p.byteOrder === "DCBA") buf.swap16();
    return bufferWords(buf);
  }
  const be = Buffer.alloc(p.width * 2);
  if (p.type === "INT64" || p.type === "UINT64") {
    if (typeof value === "boolean") throw invalid(`${p.key}: needs a number or a decimal integer string`);
    be.writeBigUInt64BE(BigInt.asUintN(64, raw64(value, p)), 0);
    return words(be, p);
  }
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(`${p.key}: needs a finite number`);
  const raw = (value - p.offset) / p.scale;
  if (p.type === "FLOAT32") be.writeFloatBE(raw, 0);
  else if (p.type === "FLOAT64") be.writeDoubleBE(raw, 0);
  else {
    const range = INT_RANGE[p.type];
    const n = BigInt(Math.round(raw));
    if (range === undefined || n < range[0] || n > range[1])
      throw invalid(`${p.key}: ${value} is out of range for ${p.type}`);
    if (p.width === 1) be.writeUInt16BE(Number(BigInt.asUintN(16, n)), 0);
    else be.writeUInt32BE(Number(BigInt.asUintN(32, n)), 0);
  }
  return words(be, p);
}

/**
 * FC22 Mask Write Register masks [Modbus AP v1.1b3 §6.16] that set bit `bit` (0 = least
 * significant) of a register to `value` and leave the other 15 bits as they are.
 */
export function bitMasks(bit: number, value: boolean): { andMask: number; orMask: number } {
  if (!Number.isInteger(bit) || bit < 0 || bit > 15) throw invalid(`bit ${bit} is outside 0..15`);
  return { andMask: ~(1 << bit) & 0xffff, orMask: value ? 1 << bit : 0 };
}

/** The register FC22 leaves [§6.16]: (current AND and_mask) OR (or_mask AND NOT and_mask). */
export function applyMask(current: number, andMask: number, orMask: number): number {
  return ((current & andMask) | (orMask & ~andMask)) & 0xffff;
}
