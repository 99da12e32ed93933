/**
 * The hot path's telemetry shape check: a hand-written test of exactly what
 * `telemetryBatchSchema` (model/src/telemetry.ts, the specification) accepts, for the common
 * case of a well-formed batch. It answers only "certainly valid" (then the batch is used as
 * parsed, which is what the schema would return) or "not sure", and a batch it is not sure of
 * goes through the zod schema, whose first issue becomes the rejection message. So it can make
 * ingest faster, never more permissive: gateway/test/telemetry-check.test.ts checks that every
 * batch it accepts the schema accepts too, with the same data. Profiles put zod's generic walk
 * at ~12 % of the gateway's CPU at peak load (docs/profiling.md).
 */
import { CLOCKS, DEVICE_ID, QUALITIES, SENSOR_KEY, WIRE_VERSION, type TelemetryBatch } from "@citytwin/model";

const BATCH_KEYS = 5; // v, epoch, seq, sentAt, devices
const CLOCK_SET: ReadonlySet<unknown> = new Set(CLOCKS);
const QUALITY_SET: ReadonlySet<unknown> = new Set(QUALITIES);
const MAX_STRING_VALUE = 256;

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);
const isCount = (x: unknown, min: number): boolean => Number.isSafeInteger(x) && (x as number) >= min;

function isValue(x: unknown): boolean {
  if (x === null || typeof x === "boolean") return true;
  if (typeof x === "number") return Number.isFinite(x);
  return typeof x === "string" && x.length <= MAX_STRING_VALUE;
}

function isEntry(e: unknown): boolean {
  if (!isPlainObject(e)) return false;
  let keys = 0;
  for (const k in e) {
    keys++;
    if (k !== "ts" && k !== "clock" && k !== "values" && k !== "q") return false;
  }
  if (keys !== (e.q === undefined ? 3 : 4) || !isCount(e.ts, 0) || !CLOCK_SET.has(e.clock)) return false;
  const values = e.values;
  if (!isPlainObject(values)) return false;
  for (const k in values) if (!SENSOR_KEY.test(k) || !isValue(values[k])) return false;
  if (e.q !== undefined) {
    if (!isPlainObject(e.q)) return false;
    for (const k in e.q) if (!SENSOR_KEY.test(k) || !QUALITY_SET.has(e.q[k])) return false;
  }
  return true;
}

/** True only if `raw` certainly matches telemetryBatchSchema (false: ask the schema). */
export function isWellFormedBatch(raw: unknown): raw is TelemetryBatch {
  if (!isPlainObject(raw)) return false;
  let keys = 0;
  for (const k in raw) {
    keys++;
    if (k !== "v" && k !== "epoch" && k !== "seq" && k !== "sentAt" && k !== "devices") return false;
  }
  if (keys !== BATCH_KEYS || raw.v !== WIRE_VERSION) return false;
  if (!isCount(raw.epoch, 0) || !isCount(raw.seq, 1) || !isCount(raw.sentAt, 0)) return false;
  const devices = raw.devices;
  if (!isPlainObject(devices)) return false;
  for (const id in devices) {
    const entries = devices[id];
    if (!DEVICE_ID.test(id) || !Array.isArray(entries) || entries.length === 0) return false;
    for (const e of entries) if (!isEntry(e)) return false;
  }
  return true;
}
