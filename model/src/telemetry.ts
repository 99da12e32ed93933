/**
 * Batched telemetry, topic `ct/v1/{tenant}/{gw}/telemetry`, QoS 1.
 *
 * The `devices` map keeps ThingsBoard's gateway shape (`{"dev":[{"ts":…,"values":{…}}]}`) one
 * level down, next to the batch header. `epoch` + `seq` identify a batch: `epoch` is the ms time
 * at which the agent's sequence stream began, `seq` counts from 1 within it with no gaps, so the
 * gateway can deduplicate replays and report missing ranges.
 */
import { z } from "zod";
import { deviceIdSchema, sensorKeySchema } from "./ids";
import { clockSchema, qualitySchema } from "./quality";

export const WIRE_VERSION = 1;
/** Largest telemetry payload the gateway accepts, in bytes. */
export const MAX_TELEMETRY_BYTES = 256 * 1024;
/** Most readings (value entries) in one batch. */
export const MAX_READINGS_PER_BATCH = 20_000;

export const readingValueSchema = z.union([z.number(), z.boolean(), z.string().max(256), z.null()]);
export type ReadingValue = z.infer<typeof readingValueSchema>;

export const telemetryEntrySchema = z
  .object({
    /** Source timestamp, ms since the Unix epoch. */
    ts: z.number().int().nonnegative(),
    /** Which clock stamped `ts`. */
    clock: clockSchema,
    values: z.record(sensorKeySchema, readingValueSchema),
    /** Quality per key; a key absent here is `good`. A null value must not be `good`. */
    q: z.record(sensorKeySchema, qualitySchema).optional(),
  })
  .strict();
export type TelemetryEntry = z.infer<typeof telemetryEntrySchema>;

export const telemetryBatchSchema = z
  .object({
    v: z.literal(WIRE_VERSION),
    epoch: z.number().int().nonnegative(),
    seq: z.number().int().positive(),
    /** When the edge sent (or first tried to send) the batch, ms. */
    sentAt: z.number().int().nonnegative(),
    devices: z.record(deviceIdSchema, z.array(telemetryEntrySchema).min(1)),
  })
  .strict();
export type TelemetryBatch = z.infer<typeof telemetryBatchSchema>;
