/**
 * One telemetry message decoded and validated, before the stateful steps (dedup, store,
 * push, sinks). Pure: it runs on the ingest event loop or on a decode thread
 * (decode-thread.ts) with the same result. Accepted readings go to `out`; the verdict carries
 * the batch's (epoch, seq) and the per-reading rejections, which the caller reports only when
 * the batch is not a duplicate.
 */
import type { RejectReason } from "@citytwin/model";
import {
  parseTelemetry,
  validateReadings,
  type AcceptedReading,
  type IngestLimits,
  type RejectionTally,
  type SensorLookup,
  type ValidatedSensor,
} from "./validate";

export type DecodeVerdict =
  | { ok: false; reason: RejectReason; message: string }
  | { ok: true; epoch: number; seq: number; rejected: RejectionTally };

export function decodeTelemetry<S extends ValidatedSensor>(
  payload: Buffer,
  gatewayId: string,
  registry: SensorLookup<S>,
  limits: IngestLimits,
  now: number,
  out: AcceptedReading<S>[],
): DecodeVerdict {
  out.length = 0;
  const parsed = parseTelemetry(payload, limits);
  if (!parsed.ok) return parsed;
  const { batch } = parsed;
  const rejected = parsed.nonFinite;
  validateReadings(batch, gatewayId, registry, limits, now, out, rejected);
  return { ok: true, epoch: batch.epoch, seq: batch.seq, rejected };
}
