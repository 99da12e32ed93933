/**
 * The declared full-scale ranges for the NAB series (./sensor-ranges.json): configuration,
 * as a deployment would hold it per sensor, checked in with the reasoning for each entry.
 */
import { readFileSync } from "node:fs";
import type { FullScaleRange } from "../../../../model/src/detect/score";

const RANGES_FILE = new URL("./sensor-ranges.json", import.meta.url);

/** Series name (e.g. "realTraffic/speed_6005.csv") → declared range. */
export function loadSensorRanges(): Map<string, FullScaleRange> {
  const json = JSON.parse(readFileSync(RANGES_FILE, "utf8")) as {
    series: Record<string, { min: number; max: number }>;
  };
  const out = new Map<string, FullScaleRange>();
  for (const [name, r] of Object.entries(json.series)) {
    if (!(Number.isFinite(r.min) && Number.isFinite(r.max) && r.max > r.min)) {
      throw new Error(`${RANGES_FILE.pathname}: ${name}: need finite min < max`);
    }
    out.set(name, { min: r.min, max: r.max });
  }
  return out;
}
