/**
 * Live push, gateway → browser over WebSocket at `/live`. JSON text frames.
 * Readings are compact tuples so a frame carrying thousands of updates stays small:
 *   [sensorId, ts, value, quality, level]
 * The gateway coalesces updates per sensor and sends at most one `readings` frame per tick.
 * Clients that connect with a viewer-or-better token (`/live?token=`; any client in demo
 * mode) also get `alarm` and `incident` frames on every change, `flood` frames when the
 * alarm flood state changes, and an `alarms` snapshot of open alarms and incidents on connect.
 */
import { z } from "zod";
import { alarmSchema, incidentSchema } from "./alarm";
import { levelSchema } from "./levels";
import { qualitySchema } from "./quality";
import { readingValueSchema, WIRE_VERSION } from "./telemetry";

export const liveReadingSchema = z.tuple([
  z.string(),
  z.number(),
  readingValueSchema,
  qualitySchema,
  levelSchema,
]);
export type LiveReading = z.infer<typeof liveReadingSchema>;

export const liveMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    v: z.literal(WIRE_VERSION),
    serverTime: z.number(),
    sensors: z.number(),
  }),
  z.object({ type: z.literal("readings"), r: z.array(liveReadingSchema) }),
  z.object({
    type: z.literal("alarms"),
    alarms: z.array(alarmSchema),
    incidents: z.array(incidentSchema),
  }),
  z.object({ type: z.literal("alarm"), alarm: alarmSchema }),
  z.object({ type: z.literal("incident"), incident: incidentSchema }),
  z.object({
    type: z.literal("flood"),
    active: z.boolean(),
    /** Annunciated alarms in the last 10 minutes on this operator position. */
    rate: z.number(),
    /** Operator position (default: the district). */
    position: z.string(),
    ts: z.number(),
  }),
  z.object({
    type: z.literal("gateway"),
    gatewayId: z.string(),
    state: z.enum(["online", "offline"]),
    ts: z.number(),
  }),
]);
export type LiveMessage = z.infer<typeof liveMessageSchema>;
