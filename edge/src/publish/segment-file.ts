/**
 * On-disk record format of the outbound queue's segment files (append-only), framed by the
 * shared CRC segment log (`@citytwin/model/node`):
 *
 *   u32 BE bodyLength | u32 BE crc32(body) | body
 *   body = f64 BE epoch | f64 BE seq | u32 BE readings | payload (UTF-8 JSON TelemetryBatch)
 *
 * `scanSegment` reads records until the end or the first invalid one (short header, length
 * out of bounds, short body, CRC mismatch): that record and everything after it is a torn
 * tail; the file is truncated there and fsynced so the next append starts clean.
 */
import { FRAME_HEADER, allocFrame, readFrame, scanFrames, sealFrame } from "@citytwin/model/node";

export const RECORD_HEADER = FRAME_HEADER;
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
  const buf = allocFrame(BODY_FIXED + p.length);
  buf.writeDoubleBE(epoch, 8);
  buf.writeDoubleBE(seq, 16);
  buf.writeUInt32BE(readings, 24);
  p.copy(buf, RECORD_HEADER + BODY_FIXED);
  return sealFrame(buf);
}

/** Reads a record's payload back (verifying its CRC). */
export function readPayload(path: string, offset: number, size: number): string {
  return readFrame(path, offset, size).toString("utf8", BODY_FIXED);
}

/** Valid records of a segment; truncates a torn tail. `torn` is 1 when one was cut. */
export function scanSegment(path: string): { records: StoredRecord[]; torn: number; size: number } {
  const records: StoredRecord[] = [];
  const { torn, size } = scanFrames(
    path,
    { minBody: BODY_FIXED, maxBody: MAX_RECORD_BODY },
    (body, offset, recSize) =>
      records.push({
        epoch: body.readDoubleBE(0),
        seq: body.readDoubleBE(8),
        readings: body.readUInt32BE(16),
        offset,
        size: recSize,
      }),
  );
  return { records, torn, size };
}
