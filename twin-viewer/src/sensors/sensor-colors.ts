/**
 * How a sensor's state maps to its point's look. Colours are allocated once; the hot path only
 * picks one and Cesium copies it into the point (no allocation per reading).
 */
import type { Color } from "cesium";
import { LEVEL_LABELS, LEVELS, type Level, type Quality, type ReadingValue } from "@citytwin/model";
import { Cesium } from "../cesium-global";

/** Sensor with no reading yet, or whose gateway is offline. */
export const NO_DATA_CSS = "#6b7280";
export const OFFLINE_CSS = "#4b5263";
/** Fraction of the level colour kept for stale or bad readings (blended towards the dark base). */
const DIM_KEEP = 0.45;
const DIM_BASE = "#1a2232";

export interface SensorLook {
  color: Color;
  pixelSize: number;
}

const PIXEL_SIZE: Readonly<Record<Level, number>> = { normal: 8, blue: 10, yellow: 11, orange: 13, red: 15 };

function look(css: string, pixelSize: number): SensorLook {
  return { color: Cesium.Color.fromCssColorString(css), pixelSize };
}

function dim(css: string): string {
  const c = Cesium.Color.fromCssColorString(css);
  const base = Cesium.Color.fromCssColorString(DIM_BASE);
  return Cesium.Color.lerp(base, c, DIM_KEEP, new Cesium.Color()).toCssHexString();
}

const BRIGHT = Object.fromEntries(LEVELS.map((l) => [l, look(LEVEL_LABELS[l].css, PIXEL_SIZE[l])])) as Record<
  Level,
  SensorLook
>;
const DIM = Object.fromEntries(
  LEVELS.map((l) => [l, look(dim(LEVEL_LABELS[l].css), PIXEL_SIZE[l])]),
) as Record<Level, SensorLook>;
export const NO_DATA_LOOK = look(NO_DATA_CSS, 7);
export const OFFLINE_LOOK = look(OFFLINE_CSS, 7);

/** Orange and red: a sensor that keeps its own point even when its area is clustered. */
export function isAlarmLevel(level: Level): boolean {
  return level === "orange" || level === "red";
}

/**
 * Good and uncertain readings show their level colour; stale and bad ones, and null values, a
 * dimmed level colour (the last known level, no longer trusted).
 */
export function lookFor(level: Level, quality: Quality, value: ReadingValue): SensorLook {
  if (value === null || quality === "stale" || quality === "bad") return DIM[level];
  return BRIGHT[level];
}
