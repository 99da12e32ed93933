/**
 * Gateway status, topic `ct/v1/{tenant}/{gw}/status`, QoS 1, retained. The edge agent
 * registers an `offline` status with reason `connection-lost` as its MQTT Will
 * [MQTT-3.1.2-8], and publishes `online` after connecting and `offline`/`shutdown` on a clean stop.
 */
import { z } from "zod";
import { WIRE_VERSION } from "./telemetry";

export const deviceHealthSchema = z.enum(["ok", "degraded", "down", "unknown"]);
export type DeviceHealth = z.infer<typeof deviceHealthSchema>;

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
  })
  .strict();
export type GatewayStatus = z.infer<typeof gatewayStatusSchema>;
