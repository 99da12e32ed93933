/**
 * Adaptive baseline: EWMA of the level and of the absolute residual (time-based, half-life
 * halfLifeMs), scored as z = (x − mean) / σ before the reading is learned. Robust: while
 * warm, residuals beyond clipZ·σ are not learned (Huber-style rejection), so an incident
 * does not drag the baseline along; outliers persisting rebaseAfterMs become the new normal.
 * Warm-up: cumulative means until warmupReadings and warmupMs, silent meanwhile. A gap
 * longer than resetAfterMs restarts the warm-up (the spread is kept). State: 6 numbers + latch.
 */
import { NEVER, setLatch, type LevelLatch } from "./level-latch";
import { mayLearn, resolveDeviation, scoreDeviation, spreadOf, type DeviationConfig } from "./deviation";
import type { BaselineProfile } from "./profile";

export interface BaselineState {
  n: number;
  learnedMs: number;
  mean: number;
  /** Mean absolute residual. */
  dev: number;
  /** Last deviation score. */
  z: number;
  outSince: number;
  latch: LevelLatch;
}

export interface BaselineConfig extends DeviationConfig {
  tauMs: number;
  warmupMs: number;
  warmupReadings: number;
  resetAfterMs: number;
}

export function resolveBaseline(p: BaselineProfile): BaselineConfig {
  return {
    ...resolveDeviation(p),
    tauMs: p.halfLifeMs / Math.LN2,
    warmupMs: p.warmupMs,
    warmupReadings: p.warmupReadings,
    resetAfterMs: p.resetAfterMs,
  };
}

export function createBaseline(latch: LevelLatch): BaselineState {
  return { n: 0, learnedMs: 0, mean: 0, dev: 0, z: 0, outSince: NEVER, latch };
}

export function baselineWarm(st: BaselineState, c: BaselineConfig): boolean {
  return st.n >= c.warmupReadings && st.learnedMs >= c.warmupMs;
}

/**
 * True when the level changed. O(1), allocation-free. `learn` false (uncertain quality):
 * score only. `dt` from the reading clock.
 */
export function updateBaseline(
  st: BaselineState,
  c: BaselineConfig,
  ts: number,
  x: number,
  dt: number,
  learn: boolean,
): boolean {
  if (st.n === 0 || dt > c.resetAfterMs) {
    st.n = 1;
    st.learnedMs = 0;
    st.mean = x;
    st.z = 0;
    st.outSince = NEVER;
    return setLatch(st.latch, 0);
  }
  const r = x - st.mean;
  const z = r / spreadOf(c, st.dev, st.mean);
  st.z = z;
  const warm = baselineWarm(st, c);
  const changed = warm && scoreDeviation(st.latch, c, z, ts);
  if (!learn || (warm && !mayLearn(st, c, z, ts, NEVER))) return changed;
  const a = 1 - Math.exp(-(dt < c.tauMs ? dt : c.tauMs) / c.tauMs);
  // Warm-up: running means (n values, n − 1 residuals so far) until the EWMA weighs more.
  const aMean = !warm && a < 1 / (st.n + 1) ? 1 / (st.n + 1) : a;
  const aDev = !warm && a < 1 / st.n ? 1 / st.n : a;
  st.mean += aMean * r;
  st.dev += aDev * (Math.abs(r) - st.dev);
  st.n++;
  st.learnedMs += dt;
  return changed;
}
