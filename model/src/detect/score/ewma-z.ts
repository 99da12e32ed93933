/**
 * EWMA z-score: the cheapest useful scorer (the hot-path stage). Tracks an exponentially
 * weighted mean and variance (the incremental form of Finch 2009, "Incremental calculation
 * of weighted mean and variance") and scores how many standard deviations the new reading
 * lies from the mean *before* the reading is absorbed.
 * Cost: a handful of flops per reading; state: 6 numbers.
 */
import { squashDeviation, type StreamScorer } from "./types";

export interface EwmaZOptions {
  /** Smoothing factor per reading, 0 < alpha < 1 (default 0.01 ≈ a 100-reading memory). */
  alpha?: number;
  /** |z| that maps to score 0.5 (default 4). */
  z0?: number;
  /** Readings to absorb before scoring (default 20); earlier readings score 0. */
  warmup?: number;
}

export interface EwmaZState {
  alpha: number;
  z0: number;
  warmup: number;
  n: number;
  mean: number;
  variance: number;
}

export const ewmaZ: StreamScorer<EwmaZOptions, EwmaZState> = {
  name: "ewma-z",
  init(opts) {
    return {
      alpha: opts.alpha ?? 0.01,
      z0: opts.z0 ?? 4,
      warmup: opts.warmup ?? 20,
      n: 0,
      mean: 0,
      variance: 0,
    };
  },
  update(s, _ts, value) {
    if (!Number.isFinite(value)) return 0;
    if (s.n === 0) s.mean = value;
    const d = value - s.mean;
    // A floor on the deviation scale keeps a constant series from dividing by zero.
    const sd = Math.sqrt(s.variance) + 1e-9 * (Math.abs(s.mean) + 1);
    const score = s.n < s.warmup ? 0 : squashDeviation(Math.abs(d) / sd, s.z0);
    s.mean += s.alpha * d;
    s.variance = (1 - s.alpha) * (s.variance + s.alpha * d * d);
    s.n++;
    return score;
  },
};
