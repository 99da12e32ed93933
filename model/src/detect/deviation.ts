/**
 * Scoring shared by the adaptive and the seasonal baseline: robust spread, deviation score
 * and its four-level latch. The spread is the mean absolute residual × √(π/2) ≈ 1.2533
 * (equal to σ for Gaussian noise), floored by the sensor's accuracy / normal noise.
 */
import type { LevelThresholds } from "../levels";
import { rankAgainst, stepLatch, type LevelLatch } from "./level-latch";
import type { DeviationDirection, DeviationProfile } from "./profile";

export const MEAN_ABS_TO_SIGMA = Math.sqrt(Math.PI / 2);

export interface DeviationConfig {
  /** +1 high, −1 low, 0 both (|z|). */
  sign: number;
  levels: LevelThresholds;
  hysteresisZ: number;
  holdMs: number;
  clipZ: number;
  minSpread: number;
  minSpreadRel: number;
  rebaseAfterMs: number;
}

export function resolveDeviation(p: DeviationProfile): DeviationConfig {
  return {
    sign: directionSign(p.direction),
    levels: { direction: "high", ...p.levels },
    hysteresisZ: p.hysteresisZ,
    holdMs: p.holdMs,
    clipZ: p.clipZ,
    minSpread: p.minSpread,
    minSpreadRel: p.minSpreadRel,
    rebaseAfterMs: p.rebaseAfterMs,
  };
}

function directionSign(d: DeviationDirection): number {
  return d === "high" ? 1 : d === "low" ? -1 : 0;
}

/** σ for a mean absolute residual `dev` around `expected`. */
export function spreadOf(c: DeviationConfig, dev: number, expected: number): number {
  let s = dev * MEAN_ABS_TO_SIGMA;
  if (s < c.minSpread) s = c.minSpread;
  const rel = c.minSpreadRel * Math.abs(expected);
  return s < rel ? rel : s;
}

/** Moves the latch by the score z in the configured direction; true when the level changed. */
export function scoreDeviation(latch: LevelLatch, c: DeviationConfig, z: number, ts: number): boolean {
  const s = c.sign === 0 ? Math.abs(z) : c.sign * z;
  return stepLatch(latch, rankAgainst(c.levels, s, 0), rankAgainst(c.levels, s, c.hysteresisZ), ts, c.holdMs);
}

/**
 * Outlier gate for learning: false while |z| > clipZ (the incident must not teach the
 * baseline), true again once outliers have persisted rebaseAfterMs (a new normal).
 * `state.outSince` is NEVER when the last reading was not an outlier.
 */
export function mayLearn(
  state: { outSince: number },
  c: DeviationConfig,
  z: number,
  ts: number,
  never: number,
): boolean {
  if (Math.abs(z) <= c.clipZ) {
    state.outSince = never;
    return true;
  }
  if (state.outSince === never) state.outSince = ts;
  return ts - state.outSince >= c.rebaseAfterMs;
}
