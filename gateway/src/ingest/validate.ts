/**
 * Pure telemetry decoding and validation (no I/O, no state). Policy:
 *  - A payload that is not JSON (MALFORMED_JSON) or does not match `telemetryBatchSchema`
 *    (SCHEMA) is rejected whole.
 *  - Otherwise readings are judged one by one: valid readings are accepted, each invalid one
 *    is rejected and counted under its reason (NON_FINITE, UNKNOWN_DEVICE, UNKNOWN_SENSOR,
 *    WRONG_TYPE, TIMESTAMP_RANGE). The batch was already PUBACKed [MQTT-4.3.2], so refusing
 *    the good readings with the bad would lose acknowledged data for nothing.
 * JSON cannot carry NaN, but `1e999` parses to Infinity; such numbers are taken out before
 * schema validation (zod rejects non-finite numbers) and reported as NON_FINITE, as are the
 * strings "NaN"/"Infinity" sent for numeric kinds.
 */
import {
  MAX_READINGS_PER_BATCH,
  gatewayStatusSchema,
  levelFor,
  telemetryBatchSchema,
  type Level,
  type GatewayStatus,
  type Quality,
  type RejectReason,
  type TelemetryBatch,
} from "@citytwin/model";
import type { SensorEntry } from "./registry";
import { isWellFormedBatch } from "./telemetry-check";

export interface IngestLimits {
  maxPayloadBytes: number;
  /** How far in the future a source timestamp may be, ms. */
  maxClockSkewMs: number;
  /** How old a source timestamp may be, ms. */
  maxAgeMs: number;
}

/** What validation needs of a sensor (the registry's entry, or the decode thread's copy). */
export type ValidatedSensor = Pick<SensorEntry, "index" | "sensorId" | "kind" | "thresholds">;

/** Device → sensors lookup; `DeviceRegistry` is one. */
export interface SensorLookup<S extends ValidatedSensor = SensorEntry> {
  readonly devices: ReadonlyMap<
    string,
    { readonly gatewayId: string; readonly sensors: ReadonlyMap<string, S> }
  >;
}

export interface AcceptedReading<S extends ValidatedSensor = SensorEntry> {
  sensor: S;
  ts: number;
  value: number | null;
  quality: Quality;
  level: Level;
}

/** Rejections of one message, aggregated per reason; `sample` names the first offender. */
export type RejectionTally = Map<RejectReason, { count: number; sample: string }>;

export type ParseResult =
  | { ok: true; batch: TelemetryBatch; nonFinite: RejectionTally }
  | { ok: false; reason: RejectReason; message: string };

const NON_FINITE_STRING = /^[+-]?(nan|inf|infinity)$/i;

export function tally(t: RejectionTally, reason: RejectReason, sample: string, count = 1): void {
  const cur = t.get(reason);
  if (cur === undefined) t.set(reason, { count, sample });
  else cur.count += count;
}

/** Decodes and schema-checks a payload; whole-message failures come back as `ok: false`. */
export function parseTelemetry(payload: Buffer, limits: IngestLimits): ParseResult {
  if (payload.length > limits.maxPayloadBytes) {
    return {
      ok: false,
      reason: "PAYLOAD_TOO_LARGE",
      message: `${payload.length} bytes > ${limits.maxPayloadBytes}`,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString("utf8"));
  } catch (err) {
    return { ok: false, reason: "MALFORMED_JSON", message: (err as Error).message.slice(0, 200) };
  }
  const nonFinite: RejectionTally = new Map();
  const { count, proto } = stripNonFinite(raw, nonFinite);
  if (proto !== undefined) {
    // zod's record() skips a `__proto__` key without validating it, which would drop its
    // readings silently (found by gateway/test/fuzz-ingest.test.ts); it is no valid id anyway.
    return { ok: false, reason: "SCHEMA", message: `${proto}: "__proto__" is not a valid id` };
  }
  if (count > MAX_READINGS_PER_BATCH) {
    return {
      ok: false,
      reason: "SCHEMA",
      message: `${count} readings > ${MAX_READINGS_PER_BATCH} per batch`,
    };
  }
  if (isWellFormedBatch(raw)) return { ok: true, batch: raw, nonFinite };
  const parsed = telemetryBatchSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : `${issue.path.map(String).join(".")}: `;
    return { ok: false, reason: "SCHEMA", message: `${where}${issue?.message ?? "invalid"}`.slice(0, 300) };
  }
  return { ok: true, batch: parsed.data, nonFinite };
}

export type StatusParseResult =
  { ok: true; status: GatewayStatus } | { ok: false; reason: "MALFORMED_JSON" | "SCHEMA"; message: string };

/** Decodes and schema-checks a gateway status payload (`…/status`). */
export function parseStatus(payload: Buffer): StatusParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString("utf8"));
  } catch (err) {
    return { ok: false, reason: "MALFORMED_JSON", message: (err as Error).message.slice(0, 200) };
  }
  const parsed = gatewayStatusSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : `${issue.path.map(String).join(".")}: `;
    return { ok: false, reason: "SCHEMA", message: `${where}${issue?.message ?? "invalid"}`.slice(0, 300) };
  }
  return { ok: true, status: parsed.data };
}

/**
 * Removes non-finite numbers from `devices.*[].values` in place; returns the reading count and
 * where a `__proto__` key sits in `devices`, `values` or `q`, if anywhere.
 */
function stripNonFinite(raw: unknown, out: RejectionTally): { count: number; proto: string | undefined } {
  let proto: string | undefined;
  if (typeof raw !== "object" || raw === null) return { count: 0, proto };
  const devices = (raw as { devices?: unknown }).devices;
  if (typeof devices !== "object" || devices === null) return { count: 0, proto };
  let n = 0;
  for (const [dev, entries] of Object.entries(devices)) {
    if (dev === "__proto__") proto ??= "devices";
    if (!Array.isArray(entries)) continue;
    for (const entry of entries as unknown[]) {
      const q = (entry as { q?: unknown } | null)?.q;
      if (typeof q === "object" && q !== null && Object.hasOwn(q, "__proto__")) proto ??= `devices.${dev}.q`;
      const values = (entry as { values?: unknown } | null)?.values;
      if (typeof values !== "object" || values === null) continue;
      for (const [key, v] of Object.entries(values)) {
        n++;
        if (key === "__proto__") proto ??= `devices.${dev}.values`;
        if (typeof v === "number" && !Number.isFinite(v)) {
          delete (values as Record<string, unknown>)[key];
          tally(out, "NON_FINITE", `${dev}.${key}`);
        }
      }
    }
  }
  return { count: n, proto };
}

/**
 * Judges each reading of a schema-valid batch sent by `gatewayId`. Accepted readings are
 * pushed to `accepted`; rejections are tallied into `rejected`.
 */
export function validateReadings<S extends ValidatedSensor>(
  batch: TelemetryBatch,
  gatewayId: string,
  registry: SensorLookup<S>,
  limits: IngestLimits,
  now: number,
  accepted: AcceptedReading<S>[],
  rejected: RejectionTally,
): void {
  const minTs = now - limits.maxAgeMs;
  const maxTs = now + limits.maxClockSkewMs;
  for (const deviceId in batch.devices) {
    const entries = batch.devices[deviceId] ?? [];
    const device = registry.devices.get(deviceId);
    if (device === undefined || device.gatewayId !== gatewayId) {
      let n = 0;
      for (const e of entries) n += Object.keys(e.values).length;
      if (n > 0) tally(rejected, "UNKNOWN_DEVICE", deviceId, n);
      continue;
    }
    for (const entry of entries) {
      const { ts, values, q } = entry;
      if (ts < minTs || ts > maxTs) {
        const n = Object.keys(values).length;
        if (n > 0) tally(rejected, "TIMESTAMP_RANGE", `${deviceId}@${ts}`, n);
        continue;
      }
      for (const key in values) {
        const sensor = device.sensors.get(key);
        if (sensor === undefined) {
          tally(rejected, "UNKNOWN_SENSOR", `${deviceId}.${key}`);
          continue;
        }
        const v = values[key];
        const quality: Quality = q?.[key] ?? "good";
        if (typeof v === "number") {
          const level =
            quality === "good" || quality === "uncertain" ? levelFor(sensor.thresholds, v) : "normal";
          accepted.push({ sensor, ts, value: v, quality, level });
        } else if (v === null) {
          // A null value must not be `good` (wire contract, telemetry.ts).
          if (quality === "good")
            tally(rejected, "WRONG_TYPE", `${sensor.sensorId}: null value with good quality`);
          else accepted.push({ sensor, ts, value: null, quality, level: "normal" });
        } else if (typeof v === "string" && NON_FINITE_STRING.test(v)) {
          tally(rejected, "NON_FINITE", sensor.sensorId);
        } else {
          tally(rejected, "WRONG_TYPE", `${sensor.sensorId}: ${typeof v} for numeric kind ${sensor.kind}`);
        }
      }
    }
  }
}
