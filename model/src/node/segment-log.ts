/**
 * Node-only (uses node:fs): the CRC-framed, append-only record format shared by the edge's
 * outbound queue (edge/src/publish/segment-file.ts) and the gateway's ingest journal
 * (gateway/src/journal/). One frame:
 *
 *   u32 BE bodyLength | u32 BE crc32(body) | body
 *
 * The body layout belongs to the caller. `scanFrames` reads frames until the end or the
 * first invalid one (short header, length out of bounds, short body, CRC mismatch): that
 * frame and everything after it is a torn tail; the file is truncated there and fsynced so
 * the next append starts clean. Not exported from the browser-safe main entry.
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

export const FRAME_HEADER = 8;

/** A frame of `bodyLength` bytes with its length set; fill the body at FRAME_HEADER, then `sealFrame`. */
export function allocFrame(bodyLength: number): Buffer {
  const buf = Buffer.allocUnsafe(FRAME_HEADER + bodyLength);
  buf.writeUInt32BE(bodyLength, 0);
  return buf;
}

/** Writes the body's CRC into the header; returns `frame`. */
export function sealFrame(frame: Buffer): Buffer {
  frame.writeUInt32BE(crc32(frame.subarray(FRAME_HEADER)), 4);
  return frame;
}

/** Reads the frame at `offset` (`size` = header + body) and returns its CRC-verified body. */
export function readFrame(path: string, offset: number, size: number): Buffer {
  const buf = readBytes(path, offset, size);
  if (buf.length !== size || crc32(buf.subarray(FRAME_HEADER)) !== buf.readUInt32BE(4)) {
    throw new Error(`${path}@${offset}: record unreadable`);
  }
  return buf.subarray(FRAME_HEADER);
}

export interface ScanLimits {
  minBody: number;
  maxBody: number;
}

/**
 * Calls `onFrame(body, offset, size)` for each valid frame of `data` in order (offsets are
 * `base` + the position in `data`) and returns the length of the valid prefix.
 */
export function parseFrames(
  data: Buffer,
  limits: ScanLimits,
  onFrame: (body: Buffer, offset: number, size: number) => void,
  base = 0,
): number {
  let at = 0;
  while (at < data.length) {
    if (data.length - at < FRAME_HEADER) break;
    const len = data.readUInt32BE(at);
    if (len < limits.minBody || len > limits.maxBody || at + FRAME_HEADER + len > data.length) break;
    const body = data.subarray(at + FRAME_HEADER, at + FRAME_HEADER + len);
    if (crc32(body) !== data.readUInt32BE(at + 4)) break;
    onFrame(body, base + at, FRAME_HEADER + len);
    at += FRAME_HEADER + len;
  }
  return at;
}

/**
 * Calls `onFrame(body, offset, size)` for each valid frame of a segment in file order;
 * truncates a torn tail. `torn` is 1 when one was cut; `size` is the valid length.
 */
export function scanFrames(
  path: string,
  limits: ScanLimits,
  onFrame: (body: Buffer, offset: number, size: number) => void,
): { torn: number; size: number } {
  const data = readFileSync(path);
  const at = parseFrames(data, limits, onFrame);
  if (at === data.length) return { torn: 0, size: at };
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { torn: 1, size: at };
}

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
export function readBytes(path: string, offset: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  const fd = openSync(path, "r");
  try {
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
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
