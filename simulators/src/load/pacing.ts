/**
 * Pacing, pure: the offered rate over time (constant or a stepped ramp), the cumulative
 * readings due by a time, and the edge-like batcher that turns "due" into batch sizes
 * (flush at `maxBatch` readings, or when the oldest pending reading has waited `maxDelayMs`:
 * the edge agent's publish.maxBatchReadings / maxDelayMs, defaults 2000 / 500).
 */
export interface Ramp {
  from: number;
  to: number;
  stepS: number;
}

export interface RateSpec {
  /** City-wide readings/s (ignored when `ramp` is set). */
  rate: number;
  ramp?: Ramp;
  /** Run length, s: the ramp spreads its steps over it. */
  seconds: number;
}

/** "10000:100000:10" → { from, to, stepS }. */
export function parseRamp(text: string): Ramp {
  const [from, to, stepS] = text.split(":").map(Number);
  if (!(from! >= 0 && to! >= 0 && stepS! > 0))
    throw new RangeError(`--ramp from:to:stepSeconds, got ${text}`);
  return { from: from!, to: to!, stepS: stepS! };
}

/** Steps in the run: floor(seconds / stepS), at least 1. */
export const rampSteps = (s: RateSpec) => (s.ramp ? Math.max(1, Math.floor(s.seconds / s.ramp.stepS)) : 1);

/** Offered readings/s at `t` s after the start. A ramp goes from→to in equal steps, then holds. */
export function rateAt(s: RateSpec, t: number): number {
  if (!s.ramp) return s.rate;
  const n = rampSteps(s);
  const k = Math.min(n - 1, Math.max(0, Math.floor(t / s.ramp.stepS)));
  return n === 1 ? s.ramp.from : s.ramp.from + ((s.ramp.to - s.ramp.from) * k) / (n - 1);
}

/** Readings due in [0, t] (the integral of rateAt), fractional. */
export function dueBy(s: RateSpec, t: number): number {
  if (t <= 0) return 0;
  if (!s.ramp) return s.rate * t;
  const step = s.ramp.stepS;
  let sum = 0;
  let k = 0;
  for (; (k + 1) * step <= t; k++) sum += rateAt(s, k * step) * step;
  return sum + rateAt(s, k * step) * (t - k * step);
}

/** One agent's batcher: how many readings to put in the next batch, given how many are due. */
export class Batcher {
  emitted = 0;
  private pendingSince: number | undefined;

  constructor(
    readonly maxBatch: number,
    readonly maxDelayMs: number,
  ) {}

  /** Size of the next batch to send at `now` with `due` readings due in total; 0: wait. `flush`: send a partial batch now (end of run). */
  next(now: number, due: number, flush = false): number {
    const pending = Math.floor(due) - this.emitted;
    if (pending <= 0) {
      this.pendingSince = undefined;
      return 0;
    }
    this.pendingSince ??= now;
    if (pending >= this.maxBatch) return this.maxBatch;
    return flush || now - this.pendingSince >= this.maxDelayMs ? pending : 0;
  }

  /** `n` readings went into a batch at `now`. */
  commit(n: number, now: number): void {
    this.emitted += n;
    this.pendingSince = now;
  }
}
