/**
 * Why the gateway refused an inbound message. Each reason has a counter
 * (`citytwin_ingest_rejected_total{reason}`), a dead-letter record, and a notice on
 * `ct/v1/{tenant}/{gw}/ingest/rejected` so the sender can see it.
 */
import { z } from "zod";
import { WIRE_VERSION } from "./telemetry";

export const REJECT_REASONS = {
  PAYLOAD_TOO_LARGE: "payload exceeds the size limit",
  MALFORMED_JSON: "payload is not valid JSON",
  SCHEMA: "payload does not match the wire contract",
  NON_FINITE: "a numeric value is NaN or Infinity",
  UNKNOWN_DEVICE: "device is not registered to this gateway",
  UNKNOWN_SENSOR: "sensor key is not registered on this device",
  WRONG_TYPE: "value type does not match the sensor kind",
  TIMESTAMP_RANGE: "timestamp is too far in the future or the past",
  TOPIC_IDENTITY: "topic does not belong to the sender's identity",
  TOPIC_UNKNOWN: "topic is outside the wire contract",
  DUPLICATE: "batch sequence already ingested (replay)",
} as const;
export type RejectReason = keyof typeof REJECT_REASONS;
export const REJECT_REASON_CODES = Object.keys(REJECT_REASONS) as RejectReason[];

export const ingestRejectionSchema = z
  .object({
    v: z.literal(WIRE_VERSION),
    reason: z.enum(REJECT_REASON_CODES as [RejectReason, ...RejectReason[]]),
    message: z.string(),
    topic: z.string(),
    epoch: z.number().int().optional(),
    seq: z.number().int().optional(),
    at: z.number().int(),
  })
  .strict();
export type IngestRejection = z.infer<typeof ingestRejectionSchema>;
