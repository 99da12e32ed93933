/**
 * One sensor's detector stack: the unit an edge agent or the gateway runs per reading.
 * `updateSensor` orders the reading (./clock), checks it is possible, then runs the value
 * detectors; it returns a bitmask (DETECTOR_BIT) of the detectors whose level changed, so
 * the caller builds a Condition only on change. O(1), allocation-free; the state is plain
 * JSON (≈ 45 numbers, ≈ 95 with a seasonal baseline).
 *
 * Quality policy:
 *   good        all detectors; baselines learn
 *   uncertain   all detectors; baselines score but do not learn; NaN counts as no value
 *   bad, null   no value: nothing runs (the missing detector notices the gap)
 *   stale       ignored (a repeated last value, not a reading)
 *   good + NaN, ±Infinity or null: impossible
 * Stages: "cheap" runs impossible + threshold only (the hot path); "full" adds rate,
 * baseline, seasonal and stuck.
 */
import type { Quality } from "../quality";
import { sensorKind } from "../sensor-kinds";
import { DETECTOR_NAMES, type DetectorName } from "./condition";
import { admit, createReadingClock, DROP, type ReadingClock } from "./clock";
import { createLevelLatch, levelRank, NEVER, type LevelLatch } from "./level-latch";
import type { SensorProfile, ThresholdProfile } from "./profile";
import {
  createImpossible,
  isPossible,
  updateImpossible,
  type ImpossibleConfig,
  type ImpossibleState,
} from "./impossible";
import { updateThreshold } from "./threshold";
import { createRate, resolveRate, updateRate, type RateConfig, type RateState } from "./rate";
import {
  createBaseline,
  resolveBaseline,
  updateBaseline,
  type BaselineConfig,
  type BaselineState,
} from "./baseline";
import {
  createSeasonal,
  resolveSeasonal,
  updateSeasonal,
  type SeasonalConfig,
  type SeasonalState,
} from "./seasonal";
import { createStuck, updateStuck, type StuckConfig, type StuckState } from "./stuck";

export type DetectStage = "cheap" | "full";

/** Bit of each detector in the masks returned by updateSensor (index in DETECTOR_NAMES). */
export const DETECTOR_BIT = Object.fromEntries(DETECTOR_NAMES.map((n, i) => [n, 1 << i])) as Readonly<
  Record<DetectorName, number>
>;
const B_THRESHOLD = DETECTOR_BIT.threshold;
const B_RATE = DETECTOR_BIT.rate;
const B_BASELINE = DETECTOR_BIT.baseline;
const B_SEASONAL = DETECTOR_BIT.seasonal;
const B_STUCK = DETECTOR_BIT.stuck;
const B_IMPOSSIBLE = DETECTOR_BIT.impossible;
const B_MISSING = DETECTOR_BIT.missing;
/** Set in updateSensor's mask when the reading was admitted and valid (composites then run). */
export const READING_ACCEPTED = 1 << 30;

/** A profile fitted to one sensor's reporting interval, with levels as ranks. Not state. */
export interface SensorConfig {
  kind: string;
  unit: string;
  en: string;
  zh: string;
  intervalMs: number;
  impossible: ImpossibleConfig;
  threshold: ThresholdProfile | null;
  rate: RateConfig | null;
  baseline: BaselineConfig | null;
  seasonal: SeasonalConfig | null;
  stuck: StuckConfig | null;
  missingAfterMs: number;
  missingRank: number;
}

export interface SensorState {
  clock: ReadingClock;
  /** Last valid value and its time. */
  value: number;
  lastValid: number;
  /** Level rank of the missing detector (set by checkMissing, cleared by a valid reading). */
  missing: number;
  imp: ImpossibleState;
  thr: LevelLatch;
  rate: RateState | null;
  base: BaselineState | null;
  seas: SeasonalState | null;
  stuck: StuckState | null;
}

export function resolveSensorConfig(p: SensorProfile, intervalMs: number): SensorConfig {
  const k = sensorKind(p.kind);
  return {
    kind: p.kind,
    unit: k?.unit ?? "",
    en: k?.en ?? p.kind,
    zh: k?.zh ?? p.kind,
    intervalMs,
    impossible: {
      min: p.min,
      max: p.max,
      rank: levelRank(p.impossible.level),
      clearAfter: p.impossible.clearAfterReadings,
    },
    threshold: p.threshold ?? null,
    rate: p.rate === undefined ? null : resolveRate(p.rate, intervalMs),
    baseline: p.baseline === undefined ? null : resolveBaseline(p.baseline),
    seasonal: p.seasonal === undefined ? null : resolveSeasonal(p.seasonal, intervalMs),
    stuck:
      p.stuck === undefined
        ? null
        : {
            epsilon: p.stuck.epsilon,
            afterReadings: p.stuck.afterReadings,
            afterMs: p.stuck.afterMs,
            rank: levelRank(p.stuck.level),
            gapMs: Math.max(p.stuck.afterMs, 10 * intervalMs),
            restValue: p.stuck.restValue ?? null,
          },
    missingAfterMs: Math.max(p.missing.afterIntervals * intervalMs, p.missing.minMs),
    missingRank: levelRank(p.missing.level),
  };
}

export function createSensorState(c: SensorConfig): SensorState {
  return {
    clock: createReadingClock(),
    value: 0,
    lastValid: NEVER,
    missing: 0,
    imp: createImpossible(),
    thr: createLevelLatch(),
    rate: c.rate === null ? null : createRate(createLevelLatch()),
    base: c.baseline === null ? null : createBaseline(createLevelLatch()),
    seas: c.seasonal === null ? null : createSeasonal(c.seasonal, createLevelLatch()),
    stuck: c.stuck === null ? null : createStuck(createLevelLatch()),
  };
}

/** Runs one reading through the stack; returns the DETECTOR_BIT mask of level changes (+ READING_ACCEPTED). */
export function updateSensor(
  st: SensorState,
  c: SensorConfig,
  ts: number,
  value: number | null,
  quality: Quality,
  stage: DetectStage,
): number {
  if (quality === "stale" || quality === "bad") return 0;
  let x: number;
  if (value === null || !Number.isFinite(value)) {
    if (quality !== "good") return 0;
    x = Number.NaN;
  } else x = value;
  const dt = admit(st.clock, ts);
  if (dt === DROP) return 0;
  if (!isPossible(c.impossible, x)) return updateImpossible(st.imp, c.impossible, x) ? B_IMPOSSIBLE : 0;
  let bits = READING_ACCEPTED | (updateImpossible(st.imp, c.impossible, x) ? B_IMPOSSIBLE : 0);
  st.value = x;
  if (ts > st.lastValid) st.lastValid = ts;
  if (st.missing !== 0) {
    st.missing = 0;
    bits |= B_MISSING;
  }
  if (c.threshold !== null && updateThreshold(st.thr, c.threshold, ts, x)) bits |= B_THRESHOLD;
  if (stage === "cheap") return bits;
  const learn = quality === "good";
  if (st.rate !== null && c.rate !== null && updateRate(st.rate, c.rate, ts, x, dt)) bits |= B_RATE;
  if (st.base !== null && c.baseline !== null && updateBaseline(st.base, c.baseline, ts, x, dt, learn))
    bits |= B_BASELINE;
  if (st.seas !== null && c.seasonal !== null && updateSeasonal(st.seas, c.seasonal, ts, x, dt, learn))
    bits |= B_SEASONAL;
  if (st.stuck !== null && c.stuck !== null && updateStuck(st.stuck, c.stuck, ts, x, dt)) bits |= B_STUCK;
  return bits;
}

/**
 * Missing data: the sensor's device kept reporting for more than missingAfterMs since the
 * sensor's last valid reading ("not heard while its device is"; a silent device is the
 * offline detector's business). `since` stands in for lastValid before the first valid
 * reading (when the device was first heard). True when the level changed.
 */
export function checkMissing(
  st: SensorState,
  c: SensorConfig,
  deviceLastSeen: number,
  since: number,
): boolean {
  const last = st.lastValid === NEVER ? since : st.lastValid;
  if (last === NEVER || st.missing !== 0 || deviceLastSeen - last <= c.missingAfterMs) return false;
  st.missing = c.missingRank;
  return true;
}

/** Level rank of one detector of this sensor now. */
export function sensorLevel(st: SensorState, d: DetectorName): number {
  switch (d) {
    case "threshold":
      return st.thr.level;
    case "rate":
      return st.rate?.latch.level ?? 0;
    case "baseline":
      return st.base?.latch.level ?? 0;
    case "seasonal":
      return st.seas?.latch.level ?? 0;
    case "stuck":
      return st.stuck?.latch.level ?? 0;
    case "impossible":
      return st.imp.level;
    case "missing":
      return st.missing;
    default:
      return 0;
  }
}
