/**
 * What the detector library tells the alarm manager. A detector judges one *source* (a
 * sensor, a device, a gateway, or an asset for composite rules) and reports the level its
 * condition is at now; `normal` clears it. One alarm point per (source, detector[, rule]).
 *
 * Contract: detectors emit a Condition only when the level or the explanation's gist
 * changes (edge-triggered), never per reading, so the alarm manager's work is bounded by
 * state changes, not by the reading rate.
 */
import type { Level } from "../levels";

export const DETECTOR_NAMES = [
  /** Four-level thresholds on the value, with hysteresis. */
  "threshold",
  /** Four-level thresholds on the rate of change (unit per minute), with hysteresis. */
  "rate",
  /** Robust adaptive baseline (EWMA of level and of absolute deviation). */
  "baseline",
  /** Daily-seasonal baseline (per time-of-day bucket). */
  "seasonal",
  /** Stuck or flatline: the value stopped moving for longer than the sensor ever does. */
  "stuck",
  /** Physically impossible values (outside the kind's range). */
  "impossible",
  /** A sensor missed its expected readings (interval × N, device still reporting). */
  "missing",
  /** A device or gateway went silent or reported offline. */
  "offline",
  /** A composite rule across sensors and assets (gas leak, pipe burst, …). */
  "composite",
] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** Words for people, in both UI languages. */
export interface Explanation {
  en: string;
  zh: string;
}

export interface Condition {
  /** Alarm point key: `${sourceId}/${detector}` or `${sourceId}/composite:${rule}`. */
  key: string;
  /** Sensor id, device id, gateway id, or (composite rules) the anchor asset id. */
  sourceId: string;
  detector: DetectorName;
  /** Composite rule id, for `detector: "composite"`. */
  rule?: string;
  level: Level;
  /** Time of the reading (or clock tick) that produced this judgement, ms. */
  ts: number;
  /** The value that produced it, where there is one. */
  value?: number;
  explanation: Explanation;
  /** Sensors whose readings are the evidence (the source itself for single-sensor detectors). */
  evidenceSensorIds: string[];
}

export function conditionKey(sourceId: string, detector: DetectorName, rule?: string): string {
  return rule === undefined ? `${sourceId}/${detector}` : `${sourceId}/${detector}:${rule}`;
}
