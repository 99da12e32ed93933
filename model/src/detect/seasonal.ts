/**
 * Daily-seasonal baseline for sensors that follow demand or traffic: the expected value and
 * spread at each time of day are `buckets` knots per day (24 = hourly), linearly
 * interpolated, learned online as a linear spline (each reading updates its two knots by
 * their interpolation weights). During the first day the knots track the signal with
 * learnHalfLifeMs; afterwards each knot forgets with about memoryDays of memory. Silent for
 * warmupMs (a full day) so every knot has been visited. Scoring, clipping and rebasing as
 * the adaptive baseline (./deviation). State: 2 × buckets numbers + 4 numbers + latch
 * (≈ 420 B for 24 buckets as float64).
 */
import { NEVER, type LevelLatch } from "./level-latch";
import { mayLearn, resolveDeviation, scoreDeviation, spreadOf, type DeviationConfig } from "./deviation";
import type { SeasonalProfile } from "./profile";

export const DAY_MS = 86_400_000;

export interface SeasonalState {
  mean: number[];
  dev: number[];
  /** Time learned (gaps excluded); 0 = no reading yet. */
  learnedMs: number;
  /** Expected value at the last reading (composite rules read it as the reference). */
  expected: number;
  z: number;
  outSince: number;
  latch: LevelLatch;
}

export interface SeasonalConfig extends DeviationConfig {
  buckets: number;
  bucketMs: number;
  offsetMs: number;
  learnTauMs: number;
  /** Weight denominator after day one: bucketMs × memoryDays. */
  slowMs: number;
  warmupMs: number;
  /** Longest step a single reading may learn for (gaps teach nothing). */
  maxStepMs: number;
}

export function resolveSeasonal(p: SeasonalProfile, intervalMs: number): SeasonalConfig {
  const bucketMs = DAY_MS / p.buckets;
  return {
    ...resolveDeviation(p),
    buckets: p.buckets,
    bucketMs,
    offsetMs: p.utcOffsetMin * 60_000,
    learnTauMs: p.learnHalfLifeMs / Math.LN2,
    slowMs: bucketMs * p.memoryDays,
    warmupMs: p.warmupMs,
    maxStepMs: Math.max(60_000, 10 * intervalMs),
  };
}

export function createSeasonal(c: { buckets: number }, latch: LevelLatch): SeasonalState {
  return {
    mean: new Array<number>(c.buckets).fill(0),
    dev: new Array<number>(c.buckets).fill(0),
    learnedMs: 0,
    expected: 0,
    z: 0,
    outSince: NEVER,
    latch,
  };
}

export function seasonalWarm(st: SeasonalState, c: SeasonalConfig): boolean {
  return st.learnedMs >= c.warmupMs;
}

/** True when the level changed. O(1), allocation-free. `dt` from the reading clock. */
export function updateSeasonal(
  st: SeasonalState,
  c: SeasonalConfig,
  ts: number,
  x: number,
  dt: number,
  learn: boolean,
): boolean {
  const { mean, dev } = st;
  if (st.learnedMs === 0) {
    if (!learn) return false;
    mean.fill(x);
    dev.fill(0);
    st.expected = x;
    st.learnedMs = 1; // started
    return false;
  }
  let tod = (ts + c.offsetMs) % DAY_MS;
  if (tod < 0) tod += DAY_MS;
  const pos = tod / c.bucketMs - 0.5;
  const i = Math.floor(pos);
  const f = pos - i;
  const i0 = i < 0 ? c.buckets - 1 : i;
  const i1 = i0 + 1 === c.buckets ? 0 : i0 + 1;
  const m0 = mean[i0] ?? x;
  const d0 = dev[i0] ?? 0;
  const expected = m0 + f * ((mean[i1] ?? x) - m0);
  const spread = d0 + f * ((dev[i1] ?? 0) - d0);
  const r = x - expected;
  const z = r / spreadOf(c, spread, expected);
  st.expected = expected;
  st.z = z;
  const warm = seasonalWarm(st, c);
  const changed = warm && scoreDeviation(st.latch, c, z, ts);
  if (!learn || (warm && !mayLearn(st, c, z, ts, NEVER))) return changed;
  const step = dt === Number.POSITIVE_INFINITY ? 0 : dt < c.maxStepMs ? dt : c.maxStepMs;
  const a = st.learnedMs < DAY_MS ? 1 - Math.exp(-step / c.learnTauMs) : step / c.slowMs;
  const e = Math.abs(r) - spread;
  mean[i0] = m0 + a * (1 - f) * r;
  mean[i1] = (mean[i1] ?? x) + a * f * r;
  dev[i0] = d0 + a * (1 - f) * e;
  dev[i1] = (dev[i1] ?? 0) + a * f * e;
  st.learnedMs += step;
  return changed;
}
