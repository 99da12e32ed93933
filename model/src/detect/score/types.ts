/**
 * Streaming anomaly scorers: the contract every scorer in this folder follows.
 *
 *  - `init(opts)` returns the whole state as plain JSON data (numbers, strings, booleans,
 *    arrays and objects of those), so `JSON.parse(JSON.stringify(state))` resumes exactly
 *    where it stopped (e.g. across a restart of the edge process).
 *  - `update(state, ts, value)` consumes one reading in time order, mutates `state` in
 *    place, allocates nothing, does O(1) work, and returns an anomaly score in [0, 1]
 *    for that reading, using only it and the past (strictly streaming, no look-ahead).
 *    A non-finite value scores 0 and leaves the state untouched.
 *  - `ts` is the reading time in ms since the epoch. Scorers that use the time of day read
 *    it in UTC, so pass local wall-clock time encoded as UTC where the local day matters.
 */
export interface StreamScorer<Opts, State> {
  /** Stable identifier, used by the CLI's `--detector` and by the benchmark. */
  readonly name: string;
  init(opts: Opts): State;
  update(state: State, ts: number, value: number): number;
}

/**
 * A sensor's full-scale range, taken from its configuration (its datasheet or the sensor
 * kind's physical range), never from data that has not arrived yet.
 */
export interface FullScaleRange {
  min: number;
  max: number;
}

/** A scorer with its options fixed: what ensembles and presets hold. State is opaque. */
export interface BoundScorer {
  readonly name: string;
  init(): unknown;
  update(state: unknown, ts: number, value: number): number;
}

/** Fixes a scorer's options, erasing its state type for heterogeneous collections. */
export function bindScorer<O, S>(scorer: StreamScorer<O, S>, opts: O, name = scorer.name): BoundScorer {
  return {
    name,
    init: () => scorer.init(opts),
    update: (state, ts, value) => scorer.update(state as S, ts, value),
  };
}

/** Maps a non-negative deviation d (e.g. |z|) monotonically onto [0, 1): d²/(d² + d0²). */
export function squashDeviation(d: number, d0: number): number {
  const q = d * d;
  return q / (q + d0 * d0);
}
