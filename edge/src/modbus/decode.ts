/**
 * Decoding of register words and bits into values. Registers travel big-endian on the wire
 * [Modbus AP v1.1b3 §4.2], so words [w0, w1] give bytes "A B C D" in transmission order; the
 * byte order names how those bytes map onto the value (Telegraf's vocabulary):
 *   ABCD  big-endian                       DCBA  little-endian (all bytes reversed)
 *   BADC  bytes swapped within each word   CDAB  word order reversed ("word swap")
 * 64-bit types generalise the same rule over four words. 16-bit types only see the byte swap:
 * ABCD/CDAB read AB, DCBA/BADC read BA.
 * Numeric values are scaled: value = raw * scale + offset. BIT and STRING are not scaled.
 * INT64/UINT64 are read exactly as BigInt. A JS number holds every integer only up to 2^53
 * (Number.MAX_SAFE_INTEGER); a raw value beyond that which no double equals is published as
 * the nearest double (then scaled) and flagged `rounded`, and the driver marks its reading
 * quality "uncertain".
 */
import type { ByteOrder, ResolvedPoint } from "./point";

export type DecodedValue = number | boolean | string;

/** A decoded value; `rounded`: a 64-bit integer that no double equals lies behind it. */
export interface Decoded {
  value: DecodedValue;
  rounded: boolean;
}

/** Bytes of `count` words from `words[start]`, rearranged into big-endian value order. */
export function orderedBytes(
  words: ArrayLike<number>,
  start: number,
  count: number,
  order: ByteOrder,
): Buffer {
  const buf = Buffer.alloc(count * 2);
  for (let i = 0; i < count; i++) {
    const w = words[start + i] ?? 0;
    buf[i * 2] = (w >> 8) & 0xff;
    buf[i * 2 + 1] = w & 0xff;
  }
  if (count === 1) {
    if (order === "DCBA" || order === "BADC") buf.swap16();
    return buf;
  }
  switch (order) {
    case "ABCD":
      return buf;
    case "DCBA":
      return buf.reverse();
    case "BADC":
      return buf.swap16();
    case "CDAB": {
      const out = Buffer.alloc(buf.length);
      for (let i = 0; i < count; i++) buf.copy(out, (count - 1 - i) * 2, i * 2, i * 2 + 2);
      return out;
    }
  }
}

/**
 * Decimal scales (0.1, 0.01, …) divide by their integer inverse, so 2061 × 0.1 reads 206.1
 * rather than 206.10000000000002.
 */
function scaled(raw: number, p: ResolvedPoint): number {
  if (p.scale === 1 && p.offset === 0) return raw;
  const inverse = 1 / p.scale;
  const divisor = Math.round(inverse);
  const base = divisor !== 0 && Math.abs(inverse - divisor) < 1e-9 ? raw / divisor : raw * p.scale;
  return base + p.offset;
}

/** The exact 64-bit integer of an INT64/UINT64 point. */
function raw64(words: ArrayLike<number>, start: number, p: ResolvedPoint): bigint {
  const bytes = orderedBytes(words, start, 4, p.byteOrder);
  return p.type === "INT64" ? bytes.readBigInt64BE(0) : bytes.readBigUInt64BE(0);
}

/** A 64-bit integer as the nearest double, scaled; rounded when no double equals the integer. */
function scaled64(raw: bigint, p: ResolvedPoint): Decoded {
  const n = Number(raw); // nearest double, ties to even
  const rounded = Math.abs(n) > Number.MAX_SAFE_INTEGER && BigInt(n) !== raw;
  return { value: scaled(n, p), rounded };
}

/** Decodes `p` from register words where `words[start]` is the word at `p.address`. */
export function decodeRegisters(words: ArrayLike<number>, start: number, p: ResolvedPoint): DecodedValue {
  switch (p.type) {
    case "BIT":
      return (((words[start] ?? 0) >> p.bit) & 1) === 1;
    case "STRING": {
      const bytes = orderedBytes(
        words,
        start,
        p.width,
        p.byteOrder === "BADC" || p.byteOrder === "DCBA" ? "BADC" : "ABCD",
      );
      return bytes.toString("latin1").replace(/[\0 ]+$/, "");
    }
    case "INT16":
      return scaled(orderedBytes(words, start, 1, p.byteOrder).readInt16BE(0), p);
    case "UINT16":
      return scaled(orderedBytes(words, start, 1, p.byteOrder).readUInt16BE(0), p);
    case "INT32":
      return scaled(orderedBytes(words, start, 2, p.byteOrder).readInt32BE(0), p);
    case "UINT32":
      return scaled(orderedBytes(words, start, 2, p.byteOrder).readUInt32BE(0), p);
    case "FLOAT32":
      return scaled(orderedBytes(words, start, 2, p.byteOrder).readFloatBE(0), p);
    case "INT64":
    case "UINT64":
      return scaled64(raw64(words, start, p), p).value;
    case "FLOAT64":
      return scaled(orderedBytes(words, start, 4, p.byteOrder).readDoubleBE(0), p);
  }
}

/**
 * decodeRegisters, also telling whether the value stands for a 64-bit integer beyond 2^53 that
 * no double equals (the driver then reports quality "uncertain").
 */
export function decodeRegistersChecked(words: ArrayLike<number>, start: number, p: ResolvedPoint): Decoded {
  if (p.type === "INT64" || p.type === "UINT64") return scaled64(raw64(words, start, p), p);
  return { value: decodeRegisters(words, start, p), rounded: false };
}

/** Decodes a coil or discrete input; `bits[start]` is the bit at `p.address`. */
export function decodeBit(bits: ArrayLike<boolean>, start: number): boolean {
  return bits[start] === true;
}
