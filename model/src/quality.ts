/**
 * Reading quality, carried end to end (edge → MQTT → InfluxDB → screen).
 *   good       value is valid
 *   uncertain  value present but its validity is doubtful (OPC UA Uncertain*, sensor drift flags)
 *   bad        no valid value (Modbus exception or timeout, OPC UA Bad*)
 *   stale      last known value, not refreshed within its expected interval
 */
import { z } from "zod";

export const QUALITIES = ["good", "uncertain", "bad", "stale"] as const;
export type Quality = (typeof QUALITIES)[number];
export const qualitySchema = z.enum(QUALITIES);

/**
 * Maps an OPC UA StatusCode to quality by its severity bits 30-31
 * [OPC 10000-4 §7.39: 00 Good, 01 Uncertain, 10 Bad].
 */
export function qualityFromOpcUaStatus(statusCode: number): Quality {
  const severity = (statusCode >>> 30) & 0b11;
  if (severity === 0) return "good";
  if (severity === 1) return "uncertain";
  return "bad";
}

/**
 * Where a reading's timestamp came from.
 *   device  the field device stamped it (pole payload time, OPC UA SourceTimestamp)
 *   server  an OPC UA server stamped it (ServerTimestamp, no SourceTimestamp)
 *   edge    the edge agent stamped it when the poll completed (Modbus has no timestamps)
 */
export const CLOCKS = ["device", "server", "edge"] as const;
export type Clock = (typeof CLOCKS)[number];
export const clockSchema = z.enum(CLOCKS);
