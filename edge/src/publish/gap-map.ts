/**
 * Sequence bookkeeping for the outbound queue.
 * - RangeSet: a set of seq numbers kept as sorted, merged, inclusive [from, to] ranges (the
 *   queue's "settled" set: acked, evicted or lost). Adds are O(1) at the end, O(log n) lookups.
 * - GapMap: the seq ranges the edge itself dropped, with why ("evicted" by the byte quota,
 *   "lost" in a crash or power loss). Adjacent ranges of the same epoch and reason merge; at
 *   most MAX_GAP_RANGES are kept (the oldest go first and are counted in `dropped`).
 */
export type GapReason = "evicted" | "lost";

export interface SeqRange {
  epoch: number;
  from: number;
  to: number;
  reason: GapReason;
}

export const MAX_GAP_RANGES = 256;

export class RangeSet {
  private ranges: [number, number][] = [];

  constructor(init: readonly (readonly [number, number])[] = []) {
    for (const [a, b] of init) this.addRange(a, b);
  }

  has(seq: number): boolean {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.ranges[mid] as [number, number];
      if (seq < r[0]) hi = mid - 1;
      else if (seq > r[1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  add(seq: number): void {
    this.addRange(seq, seq);
  }

  addRange(from: number, to: number): void {
    if (to < from) return;
    const last = this.ranges.at(-1);
    if (last === undefined || from > last[1] + 1) {
      this.ranges.push([from, to]);
      return;
    }
    if (from >= last[0]) {
      last[1] = Math.max(last[1], to);
      return;
    }
    // Out-of-order add: merge generally.
    const all = [...this.ranges, [from, to] as [number, number]].sort((x, y) => x[0] - y[0]);
    const out: [number, number][] = [];
    for (const r of all) {
      const prev = out.at(-1);
      if (prev !== undefined && r[0] <= prev[1] + 1) prev[1] = Math.max(prev[1], r[1]);
      else out.push([r[0], r[1]]);
    }
    this.ranges = out;
  }

  /** Ranges within [1, upTo] that are NOT in the set. */
  missing(upTo: number): [number, number][] {
    const out: [number, number][] = [];
    let next = 1;
    for (const [a, b] of this.ranges) {
      if (a > upTo) break;
      if (a > next) out.push([next, a - 1]);
      next = Math.max(next, b + 1);
    }
    if (next <= upTo) out.push([next, upTo]);
    return out;
  }

  toJSON(): [number, number][] {
    return this.ranges.map(([a, b]) => [a, b]);
  }
}

export class GapMap {
  private list: SeqRange[] = [];
  dropped = 0;

  constructor(init: readonly SeqRange[] = []) {
    for (const g of init) this.add(g.epoch, g.from, g.to, g.reason);
  }

  add(epoch: number, from: number, to: number, reason: GapReason): void {
    const last = this.list.at(-1);
    if (last !== undefined && last.epoch === epoch && last.reason === reason && last.to + 1 === from) {
      last.to = to;
      return;
    }
    this.list.push({ epoch, from, to, reason });
    if (this.list.length > MAX_GAP_RANGES) {
      this.list.shift();
      this.dropped++;
    }
  }

  ranges(): SeqRange[] {
    return this.list.map((g) => ({ ...g }));
  }
}
