/**
 * Robust z-score: like `ewma-z`, but outliers cannot drag the baseline. Level and scale
 * are EWMAs of the residual and of its absolute value, each clipped at `clip` scale units
 * (a Huber-type M-estimator run online), so one spike moves neither. The scale is the
 * mean absolute deviation times √(π/2) ≈ 1.2533, which equals σ for Gaussian noise.
 * During the first `warmup` readings both are plain running means (unclipped) so the scale
 * exists before clipping starts. Cost: a few flops; state: 7 numbers.
 */
import { squashDeviation, type StreamScorer } from "./types";

export interface RobustZOptions {
  /** Smoothing factor per reading after warm-up (default 0.01). */
  alpha?: number;
  /** Residuals are clipped at this many scale units when updating (default 3). */
  clip?: number;
  /** |z| that maps to score 0.5 (default 4). */
  z0?: number;
  /** Readings averaged before clipping and scoring start (default 20). */
  warmup?: number;
}

export interface RobustZState {
  alpha: number;
  clip: number;
  z0: number;
  warmup: number;
  n: number;
  level: number;
  absDev: number;
}

const MAD_TO_SIGMA = Math.sqrt(Math.PI / 2);

export const robustZ: StreamScorer<RobustZOptions, RobustZState> = {
  name: "robust-z",
  init(opts) {
    return {
      alpha: opts.alpha ?? 0.01,
      clip: opts.clip ?? 3,
      z0: opts.z0 ?? 4,
      warmup: opts.warmup ?? 20,
      n: 0,
      level: 0,
      absDev: 0,
    };
  },
  update(s, _ts, value) {
    if (!Number.isFinite(value)) return 0;
    if (s.n === 0) s.level = value;
    const r = value - s.level;
    const sigma = MAD_TO_SIGMA * s.absDev + 1e-9 * (Math.abs(s.level) + 1);
    const warm = s.n < s.warmup;
    const score = warm ? 0 : squashDeviation(Math.abs(r) / sigma, s.z0);
    const a = warm ? 1 / (s.n + 1) : s.alpha;
    const c = warm ? Infinity : s.clip * sigma;
    const rc = r > c ? c : r < -c ? -c : r;
    s.level += a * rc;
    s.absDev += a * (Math.abs(rc) - s.absDev);
    s.n++;
    return score;
  },
};
