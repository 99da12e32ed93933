/**
 * Encoding of values into register words for FC6/FC16 writes: the inverse of decode.ts.
 * Each byte order is a permutation that is its own inverse (reverse, swap within words, swap
 * words), so the big-endian value bytes pass through the same `orderedBytes` rearrangement.
 * Scale/offset are undone first: raw = (value - offset) / scale, rounded for integer types.
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

/** Register words to write for `value` at point `p` (not for BIT: see the driver). */
export function encodeRegisters(value: number | boolean | string, p: ResolvedPoint): number[] {
  if (p.type === "BIT") throw invalid(`${p.key}: BIT in a register needs read-modify-write (unsupported)`);
  if (p.type === "STRING") {
    if (typeof value !== "string") throw invalid(`${p.key}: STRING needs a string value`);
    const buf = Buffer.alloc(p.width * 2);
    if (Buffer.byteLength(value, "latin1") > buf.length)
      throw invalid(`${p.key}: longer than ${buf.length} chars`);
    buf.write(value, "latin1");
    if (p.byteOrder === "BADC" || p.byteOrder === "DCBA") buf.swap16();
    return bufferWords(buf);
  }
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(`${p.key}: needs a finite number`);
  const raw = (value - p.offset) / p.scale;
  const be = Buffer.alloc(p.width * 2);
  if (p.type === "FLOAT32") be.writeFloatBE(raw, 0);
  else if (p.type === "FLOAT64") be.writeDoubleBE(raw, 0);
  else {
    const range = INT_RANGE[p.type];
    const n = BigInt(Math.round(raw));
    if (range === undefined || n < range[0] || n > range[1])
      throw invalid(`${p.key}: ${value} is out of range for ${p.type}`);
    if (p.width === 1) be.writeUInt16BE(Number(BigInt.asUintN(16, n)), 0);
    else if (p.width === 2) be.writeUInt32BE(Number(BigInt.asUintN(32, n)), 0);
    else be.writeBigUInt64BE(BigInt.asUintN(64, n), 0);
  }
  return words(be, p);
}
