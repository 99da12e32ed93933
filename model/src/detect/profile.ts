/**
 * What a sensor's detectors are tuned to: its `SensorProfile`. Defaults per sensor kind live
 * in ./default-profiles (sources in docs/alarm-defaults.md); a deployment overrides them per
 * kind or per sensor with a `ProfileOverride` (a section set to null switches that detector
 * off). Times are ms, rates are the kind's unit per minute, deviations are in robust σ.
 */
import type { Level, LevelThresholds } from "../levels";

/** Four bounds without a direction (deviation scores; always "at or above"). */
export type ScoreLevels = Omit<LevelThresholds, "direction">;

export interface ThresholdProfile {
  levels: LevelThresholds;
  /** A level clears only when the value is past bound ∓ hysteresis (kind's unit). */
  hysteresis: number;
  /** …and has stayed there this long (off-delay). */
  holdMs: number;
}

export interface RateProfile {
  /** Four levels on the signed rate (unit/min); `low` with negative bounds for falls. Absent: rate is a feature only. */
  levels?: LevelThresholds;
  /** The rate is the change across about this much time (widened to 4 readings for slow sensors). */
  windowMs: number;
  /** No rate until the window spans at least this much (noise over one step is not a rate). */
  minSpanMs: number;
  hysteresis: number;
  holdMs: number;
  /** Half-life of the fluctuation feature (mean |change| between successive readings). */
  fluctuationHalfLifeMs: number;
}

export type DeviationDirection = "high" | "low" | "both";

/** Shared by the adaptive (EWMA) and the daily-seasonal baselines. */
export interface DeviationProfile {
  direction: DeviationDirection;
  /** Levels on the deviation score z = (x − expected) / σ, σ = 1.2533 × mean |residual|. */
  levels: ScoreLevels;
  hysteresisZ: number;
  holdMs: number;
  /** Residuals beyond clipZ·σ are outliers: not learned (so an incident cannot teach the baseline). */
  clipZ: number;
  /** σ is at least max(minSpread, minSpreadRel × |expected|): the sensor's accuracy / normal noise. */
  minSpread: number;
  minSpreadRel: number;
  /** Outliers persisting this long are taken as a new normal and learned again. */
  rebaseAfterMs: number;
}

export interface BaselineProfile extends DeviationProfile {
  halfLifeMs: number;
  /** Silent until this much time and this many readings have been learned. */
  warmupMs: number;
  warmupReadings: number;
  /** A gap longer than this restarts the warm-up. */
  resetAfterMs: number;
}

export interface SeasonalProfile extends DeviationProfile {
  /** Time-of-day buckets per day (24 = hourly knots, linearly interpolated). */
  buckets: number;
  /** After the first day, each knot forgets with this many days' memory. */
  memoryDays: number;
  /** During the first day, knots track the signal with this half-life. */
  learnHalfLifeMs: number;
  /** Silent until this much time has been learned (a full day). */
  warmupMs: number;
  /** Offset of the local day from UTC, minutes (China Standard Time: 480). */
  utcOffsetMin: number;
}

export interface StuckProfile {
  /** A reading within ±epsilon of the reference counts as unchanged (≈ half a resolution step). */
  epsilon: number;
  /** Stuck after this many unchanged readings spanning at least afterMs. */
  afterReadings: number;
  afterMs: number;
  level: Level;
  /** Readings equal to this never count (a methane detector resting at 0 %LEL). */
  restValue?: number;
}

export interface ImpossibleProfile {
  level: Level;
  /** Valid readings in a row needed to clear. */
  clearAfterReadings: number;
}

export interface MissingProfile {
  /** Missing once no valid reading came for max(afterIntervals × intervalMs, minMs). */
  afterIntervals: number;
  minMs: number;
  level: Level;
}

export interface SensorProfile {
  kind: string;
  /** Physically possible range (SENSOR_KINDS min/max). */
  min: number;
  max: number;
  impossible: ImpossibleProfile;
  missing: MissingProfile;
  threshold?: ThresholdProfile;
  rate?: RateProfile;
  baseline?: BaselineProfile;
  seasonal?: SeasonalProfile;
  stuck?: StuckProfile;
}

type Section = "impossible" | "missing" | "threshold" | "rate" | "baseline" | "seasonal" | "stuck";

/** Partial profile: fields replace the defaults; a section set to null disables it. */
export type ProfileOverride = Partial<Pick<SensorProfile, "min" | "max">> & {
  [K in Section]?: Partial<NonNullable<SensorProfile[K]>> | null;
};

const SECTIONS: readonly Section[] = [
  "impossible",
  "missing",
  "threshold",
  "rate",
  "baseline",
  "seasonal",
  "stuck",
];

/** `base` with `override` applied section by section. A section the base lacks needs every field. */
export function applyOverride(base: SensorProfile, override: ProfileOverride | undefined): SensorProfile {
  if (override === undefined) return base;
  const out: Record<string, unknown> = { ...base };
  if (override.min !== undefined) out.min = override.min;
  if (override.max !== undefined) out.max = override.max;
  for (const key of SECTIONS) {
    const o = override[key];
    if (o === undefined) continue;
    if (o === null) {
      if (key === "impossible" || key === "missing") continue; // always on
      delete out[key];
    } else out[key] = { ...(base[key] ?? {}), ...o };
  }
  return out as unknown as SensorProfile;
}
