/**
 * Body of one ingest-journal record, framed by the shared CRC segment log
 * (`@citytwin/model/node`):
 *
 *   f64 BE recordNo | f64 BE receivedAt (ms) | f64 BE epoch | f64 BE seq |
 *   u16 BE gatewayId length | gatewayId (UTF-8) | payload (the MQTT payload, as received)
 *
 * `epoch`/`seq` are a hint copied from the payload's canonical prefix
 * (`{"v":1,"epoch":E,"seq":S,` — how edge agents serialise a batch) without parsing it; NaN
 * when the prefix does not match, and `batchId()` then parses the payload lazily.
 */
import { FRAME_HEADER, allocFrame, sealFrame } from "@citytwin/model/node";

export const BODY_FIXED = 34;
/** Upper bound of a record body: a payload ≤ 256 KiB plus header; generous. */
export const MAX_BODY = 2 * 1024 * 1024;
export const LIMITS = { minBody: BODY_FIXED, maxBody: MAX_BODY };

export interface JournalRecord {
  no: number;
  receivedAt: number;
  gatewayId: string;
  epoch: number;
  seq: number;
  payload: Buffer;
}

const PREFIX = /^\{"v":1,"epoch":(\d{1,16}),"seq":(\d{1,16}),/;

/** (epoch, seq) from the payload's canonical prefix, or NaN when it is not there. */
export function prefixId(payload: Buffer): { epoch: number; seq: number } {
  const m = PREFIX.exec(payload.toString("latin1", 0, Math.min(payload.length, 64)));
  return m === null ? { epoch: NaN, seq: NaN } : { epoch: Number(m[1]), seq: Number(m[2]) };
}

export function encodeJournalRecord(
  no: number,
  receivedAt: number,
  gatewayId: string,
  payload: Buffer,
): Buffer {
  const gw = Buffer.from(gatewayId, "utf8");
  const { epoch, seq } = prefixId(payload);
  const frame = allocFrame(BODY_FIXED + gw.length + payload.length);
  let at = FRAME_HEADER;
  at = frame.writeDoubleBE(no, at);
  at = frame.writeDoubleBE(receivedAt, at);
  at = frame.writeDoubleBE(epoch, at);
  at = frame.writeDoubleBE(seq, at);
  at = frame.writeUInt16BE(gw.length, at);
  at += gw.copy(frame, at);
  payload.copy(frame, at);
  return sealFrame(frame);
}

/** Decodes a CRC-verified body; `payload` is a view into `body`. */
export function decodeJournalRecord(body: Buffer): JournalRecord {
  const gwLen = body.readUInt16BE(32);
  return {
    no: body.readDoubleBE(0),
    receivedAt: body.readDoubleBE(8),
    epoch: body.readDoubleBE(16),
    seq: body.readDoubleBE(24),
    gatewayId: body.toString("utf8", BODY_FIXED, BODY_FIXED + gwLen),
    payload: body.subarray(BODY_FIXED + gwLen),
  };
}

/** The record's (epoch, seq): the stored hint, else parsed from the payload; undefined if none. */
export function batchId(rec: JournalRecord): { epoch: number; seq: number } | undefined {
  // Both paths apply the schema's rule (epoch integer ≥ 0, seq integer ≥ 1): the prefix hint
  // matches `"seq":0` too, which live ingest rejects (SCHEMA) and never observes.
  if (Number.isFinite(rec.epoch) && Number.isFinite(rec.seq))
    return rec.seq >= 1 ? { epoch: rec.epoch, seq: rec.seq } : undefined;
  try {
    const raw = JSON.parse(rec.payload.toString("utf8")) as { epoch?: unknown; seq?: unknown };
    const { epoch, seq } = raw;
    if (
      typeof epoch === "number" &&
      typeof seq === "number" &&
      Number.isSafeInteger(epoch) &&
      epoch >= 0 &&
      Number.isSafeInteger(seq) &&
      seq >= 1
    )
      return { epoch, seq };
  } catch {
    // not JSON: the pipeline rejected it whole, it never reached the sequence tracker
  }
  return undefined;
}
