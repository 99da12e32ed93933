/**
 * Gateway status, topic `ct/v1/{tenant}/{gw}/status`, QoS 1, retained. The edge agent
 * registers an `offline` status with reason `connection-lost` as its MQTT Will
 * [MQTT-3.1.2-8], and publishes `online` after connecting and `offline`/`shutdown` on a clean stop.
 */
import { z } from "zod";
import { WIRE_VERSION } from "./telemetry";

export const deviceHealthSchema = z.enum(["ok", "degraded", "down", "unknown"]);
export type DeviceHealth = z.infer<typeof deviceHealthSchema>;

/** Per-device poll health over the agent's life (polling drivers only). */
export const devicePollHealthSchema = z
  .object({
    polls: z.number().int().nonnegative(),
    failures: z.number().int().nonnegative(),
    /** (polls − failures) / polls; 1 before the first poll. */
    successRatio: z.number().min(0).max(1),
    /** Poll round-trip latency over the last polls (up to 64), ms. */
    latencyMsP50: z.number().nonnegative().optional(),
    latencyMsP95: z.number().nonnegative().optional(),
    /** Edge time of the last fully good poll. */
    lastOkAt: z.number().int().nonnegative().optional(),
    /** Readings held back by report by exception. */
    suppressed: z.number().int().nonnegative().optional(),
  })
  .strict();
export type DevicePollHealth = z.infer<typeof devicePollHealthSchema>;

/** Periodic agent health (edge publish.statusIntervalMs); omitted in the Will. */
export const agentHealthSchema = z
  .object({
    /** Per-device poll health by device id. */
    devices: z.record(z.string(), devicePollHealthSchema),
    /** Batches not yet acknowledged (pending + in flight) and readings not yet batched. */
    queueDepth: z.number().int().nonnegative(),
    bufferedReadings: z.number().int().nonnegative(),
    memory: z
      .object({
        rssBytes: z.number().int().nonnegative(),
        heapUsedBytes: z.number().int().nonnegative(),
        heapTotalBytes: z.number().int().nonnegative(),
      })
      .strict(),
    uptimeS: z.number().nonnegative(),
    /** Report-by-exception totals: readings in, reported, suppressed. */
    rbe: z
      .object({
        in: z.number().int().nonnegative(),
        passed: z.number().int().nonnegative(),
        suppressed: z.number().int().nonnegative(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type AgentHealth = z.infer<typeof agentHealthSchema>;

export const gatewayStatusSchema = z
  .object({
    v: z.literal(WIRE_VERSION),
    state: z.enum(["online", "offline"]),
    reason: z.enum(["connected", "shutdown", "connection-lost"]),
    ts: z.number().int().nonnegative(),
    agentVersion: z.string(),
    config: z.object({ version: z.number().int().nonnegative(), hash: z.string() }),
    epoch: z.number().int().nonnegative(),
    /** Device health by device id; omitted in the Will. */
    devices: z.record(z.string(), deviceHealthSchema).optional(),
    /**
     * Store-and-forward state; omitted in the Will. `gaps` are the seq ranges the edge itself
     * dropped ("evicted" by its byte quota, "lost" in a crash/power loss), so the platform can
     * tell them apart from batches missing in transit. Counters are totals since the queue began.
     */
    queue: z
      .object({
        pending: z.number().int().nonnegative(),
        bytes: z.number().int().nonnegative(),
        evictedBatches: z.number().int().nonnegative(),
        evictedReadings: z.number().int().nonnegative(),
        evictedBytes: z.number().int().nonnegative(),
        lostBatches: z.number().int().nonnegative(),
        gaps: z
          .array(
            z
              .object({
                epoch: z.number().int().nonnegative(),
                from: z.number().int().positive(),
                to: z.number().int().positive(),
                reason: z.enum(["evicted", "lost"]),
              })
              .strict(),
          )
          .max(256),
      })
      .strict()
      .optional(),
    health: agentHealthSchema.optional(),
  })
  .strict();
export type GatewayStatus = z.infer<typeof gatewayStatusSchema>;
