/**
 * Onset latching: passes a score through only when it beats a decaying envelope of the
 * scores before it, and reports 0 otherwise. A sustained anomaly then yields one report at
 * its onset (plus re-reports only when it gets clearly worse), which is what alarm
 * handling and NAB's "first detection in a window counts" both reward. The envelope
 * decays by `decay` per reading: it halves in ln 2 / −ln(decay) readings (≈ 138 at the
 * default 0.995), after which a score half as high as the last peak is reported again.
 */
import type { StreamScorer } from "./types";

export interface OnsetLatchState<S> {
  decay: number;
  envelope: number;
  inner: S;
}

export interface OnsetLatchOptions<O> {
  /** Envelope decay per reading, 0 < decay < 1 (default 0.995). */
  decay?: number;
  inner: O;
}

/** Wraps `inner` with onset latching; the wrapped scorer is named `${inner.name}+latch`. */
export function withOnsetLatch<O, S>(
  inner: StreamScorer<O, S>,
): StreamScorer<OnsetLatchOptions<O>, OnsetLatchState<S>> {
  return {
    name: `${inner.name}+latch`,
    init(opts) {
      return { decay: opts.decay ?? 0.995, envelope: 0, inner: inner.init(opts.inner) };
    },
    update(s, ts, value) {
      if (!Number.isFinite(value)) return 0;
      const raw = inner.update(s.inner, ts, value);
      const out = raw > s.envelope ? raw : 0;
      const decayed = s.envelope * s.decay;
      s.envelope = raw > decayed ? raw : decayed;
      return out;
    },
  };
}
