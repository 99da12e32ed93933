/**
 * Context novelty: a bounded, streaming cousin of CAD OSE (Contextual Anomaly Detector,
 * Smirnov 2016, in numenta/NAB nab/detectors/context_ose). Like CAD OSE it quantises each
 * value into a few levels of a value range and scores how new the current "context" is;
 * unlike it, memory is a fixed-size table instead of an ever-growing context store.
 *
 * Each reading is quantised on `grids` copies of a `levels`-level grid, each shifted by a
 * fraction of a level (averaging them removes the arbitrariness of bin edges). On every
 * grid 2 + `orders` facts are looked up in one hashed "last seen" table:
 *   the level itself, the level at this hour of day (`todSlots` per day, UTC), and the
 *   transitions from the previous 1…`orders` levels to this one.
 * A fact's novelty is min(1, readings since it was last seen / `horizon`), 1 if never seen
 * (or overwritten by a hash collision, which acts as forgetting). The score is the mean
 * novelty over facts and grids.
 *
 * Value range: `range` (the sensor's configured full scale) fixes the grid to `levels`
 * equal bins of [min, max]. Without it the grid is learned online from the first `warmup`
 * readings (their min/max widened by `margin` of the span on each side), then frozen.
 * Either way values outside the grid get their own bins (unbounded level numbers), so a
 * value beyond everything seen is itself novel. (Facts recorded while a learned grid is still
 * moving are slightly off; they age out within `horizon`.) The first `quiet` readings score 0.
 *
 * State: the table (`2^tableBits` numbers; 4096 by default, ≈ 32 KB in memory and ≈ 13 KB
 * as JSON on the NAB series) plus ~20 numbers. Work per reading: grids × (2 + orders)
 * table look-ups (≈ 0.15 µs in Node 20).
 */
import type { StreamScorer, FullScaleRange } from "./types";

export interface ContextNoveltyOptions {
  /** Sensor full-scale range from configuration; learned online when absent. */
  range?: FullScaleRange;
  /** Quantisation levels across the range (default 8, as CAD OSE's 3 bits). */
  levels?: number;
  /** Shifted grids averaged (default 3). */
  grids?: number;
  /** Readings after which a fact counts as fully new again (default 4000). */
  horizon?: number;
  /** Time-of-day slots per day for the level-at-hour fact; 0 disables (default 24). */
  todSlots?: number;
  /** Longest transition order, 0–4 (default 2). */
  orders?: number;
  /** Readings used to learn the grid when no range is given (default 400). */
  warmup?: number;
  /** Widening of the learned span on each side, as a fraction of it (default 0.25). */
  margin?: number;
  /** log2 of the table size (default 12 → 4096 entries). */
  tableBits?: number;
  /** Readings at the start that score 0: everything is new then (default 100). */
  quiet?: number;
}

export interface ContextNoveltyState {
  levels: number;
  grids: number;
  horizon: number;
  todSlots: number;
  orders: number;
  warmup: number;
  margin: number;
  quiet: number;
  /** True when the grid comes from a configured range. */
  fixedGrid: boolean;
  /** Grid origin and bin width. */
  anchor: number;
  width: number;
  /** Extremes seen during warm-up (learned grid only). */
  lo: number;
  hi: number;
  /** Readings consumed. */
  n: number;
  /** Previous levels per grid, most recent first: prev[g * orders + k]. */
  prev: number[];
  /** How many previous levels are valid (≤ orders). */
  prevCount: number;
  /** Last-seen table: reading number + 1 of the fact's last sighting; 0 = never. */
  seen: number[];
}

/** murmur3's 32-bit finaliser: spreads a combined key over the table. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function combine(h: number, x: number): number {
  return Math.imul(h ^ fmix(x | 0), 0x9e3779b1) + 0x7f4a7c15;
}

/** Looks a fact up and marks it seen now; returns its novelty in [0, 1]. */
function touch(s: ContextNoveltyState, key: number): number {
  const i = fmix(key) & (s.seen.length - 1);
  const last = s.seen[i] ?? 0;
  s.seen[i] = s.n + 1;
  if (last === 0) return 1;
  const age = s.n + 1 - last;
  return age >= s.horizon ? 1 : age / s.horizon;
}

export const contextNovelty: StreamScorer<ContextNoveltyOptions, ContextNoveltyState> = {
  name: "context",
  init(opts) {
    const levels = opts.levels ?? 8;
    const orders = Math.min(4, Math.max(0, Math.floor(opts.orders ?? 2)));
    const grids = Math.max(1, Math.floor(opts.grids ?? 3));
    const range = opts.range;
    if (range !== undefined && !(range.max > range.min)) {
      throw new Error(`context scorer: range max (${range.max}) must exceed min (${range.min})`);
    }
    return {
      levels,
      grids,
      horizon: opts.horizon ?? 4000,
      todSlots: opts.todSlots ?? 24,
      orders,
      warmup: opts.warmup ?? 400,
      margin: opts.margin ?? 0.25,
      quiet: opts.quiet ?? 100,
      fixedGrid: range !== undefined,
      anchor: range?.min ?? 0,
      width: range === undefined ? 1 : (range.max - range.min) / levels,
      lo: 0,
      hi: 0,
      n: 0,
      prev: new Array<number>(grids * orders).fill(0),
      prevCount: 0,
      seen: new Array<number>(1 << (opts.tableBits ?? 12)).fill(0),
    };
  },
  update(s, ts, value) {
    if (!Number.isFinite(value)) return 0;
    if (!s.fixedGrid && s.n < s.warmup) learnGrid(s, value);
    const hour = (((ts / 3_600_000) % 24) + 24) % 24;
    const slot = s.todSlots > 0 ? Math.floor((hour * s.todSlots) / 24) : -1;
    let total = 0;
    for (let g = 0; g < s.grids; g++) {
      const level = Math.floor((value - s.anchor) / s.width + g / s.grids);
      const base = combine(g + 1, level);
      let sum = touch(s, combine(base, 1));
      let facts = 1;
      if (slot >= 0) {
        sum += touch(s, combine(combine(base, 2), slot));
        facts++;
      }
      let h = combine(base, 3);
      const p = g * s.orders;
      for (let k = 0; k < s.prevCount; k++) {
        h = combine(h, s.prev[p + k] ?? 0);
        sum += touch(s, h);
        facts++;
      }
      for (let k = s.orders - 1; k > 0; k--) s.prev[p + k] = s.prev[p + k - 1] ?? 0;
      if (s.orders > 0) s.prev[p] = level;
      total += sum / facts;
    }
    if (s.prevCount < s.orders) s.prevCount++;
    s.n++;
    return s.n <= s.quiet ? 0 : total / s.grids;
  },
};

function learnGrid(s: ContextNoveltyState, value: number): void {
  if (s.n === 0 || value < s.lo) s.lo = value;
  if (s.n === 0 || value > s.hi) s.hi = value;
  let span = s.hi - s.lo;
  if (!(span > 0)) span = Math.abs(s.hi) * 0.01 + 1e-9;
  s.anchor = s.lo - s.margin * span;
  s.width = (span * (1 + 2 * s.margin)) / s.levels;
}
