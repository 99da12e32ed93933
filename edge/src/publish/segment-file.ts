/**
 * On-disk record format of the outbound queue's segment files (append-only):
 *
 *   u32 BE bodyLength | u32 BE crc32(body) | body
 *   body = f64 BE epoch | f64 BE seq | u32 BE readings | payload (UTF-8 JSON TelemetryBatch)
 *
 * `scanSegment` reads records until the end or the first invalid one (short header, length
 * out of bounds, short body, CRC mismatch): that record and everything after it is a torn
 * tail; the file is truncated there and fsynced so the next append starts clean.
 */
import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { crc32 } from "node:zlib";

export const RECORD_HEADER = 8;
const BODY_FIXED = 20;
/** Upper bound of one record's body (a batch is ≤ 256 KiB; leave room). */
export const MAX_RECORD_BODY = 1024 * 1024;

export interface StoredRecord {
  epoch: number;
  seq: number;
  readings: number;
  /** Offset of the record header in the file. */
  offset: number;
  /** Whole record size on disk (header + body). */
  size: number;
}

export function encodeRecord(epoch: number, seq: number, readings: number, payload: string): Buffer {
  const p = Buffer.from(payload, "utf8");
  const buf = Buffer.allocUnsafe(RECORD_HEADER + BODY_FIXED + p.length);
  buf.writeUInt32BE(BODY_FIXED + p.length, 0);
  buf.writeDoubleBE(epoch, 8);
  buf.writeDoubleBE(seq, 16);
  buf.writeUInt32BE(readings, 24);
  p.copy(buf, RECORD_HEADER + BODY_FIXED);
  buf.writeUInt32BE(crc32(buf.subarray(RECORD_HEADER)), 4);
  return buf;
}

/** Reads a record's payload back (verifying its CRC). */
export function readPayload(path: string, offset: number, size: number): string {
  const buf = Buffer.allocUnsafe(size);
  const fd = openSync(path, "r");
  try {
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    if (got !== size || crc32(buf.subarray(RECORD_HEADER)) !== buf.readUInt32BE(4)) {
      throw new Error(`${path}@${offset}: record unreadable`);
    }
  } finally {
    closeSync(fd);
  }
  return buf.toString("utf8", RECORD_HEADER + BODY_FIXED);
}

/** Valid records of a segment; truncates a torn tail. `torn` is 1 when one was cut. */
export function scanSegment(path: string): { records: StoredRecord[]; torn: number; size: number } {
  const data = readFileSync(path);
  const records: StoredRecord[] = [];
  let at = 0;
  while (at < data.length) {
    if (data.length - at < RECORD_HEADER) break;
    const len = data.readUInt32BE(at);
    if (len < BODY_FIXED || len > MAX_RECORD_BODY || at + RECORD_HEADER + len > data.length) break;
    const body = data.subarray(at + RECORD_HEADER, at + RECORD_HEADER + len);
    if (crc32(body) !== data.readUInt32BE(at + 4)) break;
    records.push({
      epoch: body.readDoubleBE(0),
      seq: body.readDoubleBE(8),
      readings: body.readUInt32BE(16),
      offset: at,
      size: RECORD_HEADER + len,
    });
    at += RECORD_HEADER + len;
  }
  if (at === data.length) return { records, torn: 0, size: at };
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { records, torn: 1, size: at };
}

/** Atomic replace: write tmp, fsync, rename, fsync the directory. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

export function fsyncDir(dir: string): void {
  const dfd = openSync(dir, "r");
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
