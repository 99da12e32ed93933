/**
 * What colour and text a sensor's drawn state has in the detail views: the level colour, or the
 * offline / no-data greys of the map (sensors/sensor-colors.ts). Reads `SensorLayer.state`, which
 * always describes what the scene shows (live or replay).
 */
import { LEVEL_LABELS, LEVEL_RANK, type Level } from "@citytwin/model";
import type { SensorLayer } from "../sensors/sensor-layer";
import { NO_DATA_CSS, OFFLINE_CSS } from "../sensors/sensor-colors";

export type SensorCondition = "offline" | "no-data" | Level;

export function conditionOf(layer: SensorLayer, sensorId: string): SensorCondition {
  if (layer.isOffline(sensorId)) return "offline";
  return layer.state(sensorId)?.level ?? "no-data";
}

export function conditionCss(c: SensorCondition): string {
  if (c === "offline") return OFFLINE_CSS;
  if (c === "no-data") return NO_DATA_CSS;
  return LEVEL_LABELS[c].css;
}

/** The worst of several sensors: the highest level; offline or no data only when none has a level. */
export function worstCondition(conditions: readonly SensorCondition[]): SensorCondition {
  let worst: Level | undefined;
  for (const c of conditions) {
    if (c === "offline" || c === "no-data") continue;
    if (worst === undefined || LEVEL_RANK[c] > LEVEL_RANK[worst]) worst = c;
  }
  if (worst !== undefined) return worst;
  return conditions.includes("offline") ? "offline" : "no-data";
}

/** The numeric value drawn for a sensor, or undefined (no data, null, non-numeric). */
export function numericValue(layer: SensorLayer, sensorId: string): number | undefined {
  const v = layer.state(sensorId)?.value;
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
