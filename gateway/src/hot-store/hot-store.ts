/**
 * Recent history per sensor in fixed-size rings of typed arrays (ts and value as Float64,
 * quality and level as Uint8). Append is O(1) and allocates nothing once a sensor's ring
 * exists (rings are created on a sensor's first reading, so unused sensors cost nothing).
 * `atOrBefore` (replay) binary-searches a ring whose held points are in time order (the common
 * case) and scans one that holds an out-of-order point, so it stays correct for late data.
 * A null value is stored as NaN. `latest` follows the newest source timestamp, so a late
 * replay of old data lands in the ring without overwriting a newer latest value.
 * Single writer (the ingest worker); readers (HTTP, live push) run on the same thread.
 */
import { LEVELS, QUALITIES, type Level, type Quality } from "@citytwin/model";

export const QUALITY_CODE: Readonly<Record<Quality, number>> = { good: 0, uncertain: 1, bad: 2, stale: 3 };
export const LEVEL_CODE: Readonly<Record<Level, number>> = {
  normal: 0,
  blue: 1,
  yellow: 2,
  orange: 3,
  red: 4,
};

export type HistoryPoint = [ts: number, value: number | null, quality: Quality];

export interface LatestPoint {
  ts: number;
  value: number | null;
  quality: Quality;
  level: Level;
}

class Ring {
  readonly ts: Float64Array;
  readonly values: Float64Array;
  readonly quality: Uint8Array;
  readonly level: Uint8Array;
  /** Next write position. */
  head = 0;
  size = 0;
  /** Points ever appended; the newest has sequence number appends - 1. */
  appends = 0;
  /** Timestamp of the newest appended point (by append order). */
  lastTs = -Infinity;
  /** Sequence number of the last point older than its predecessor (-Infinity: none). */
  lastDisorder = -Infinity;
  constructor(capacity: number) {
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.quality = new Uint8Array(capacity);
    this.level = new Uint8Array(capacity);
  }

  /** Physical slot of the i-th oldest held point. */
  slot(i: number): number {
    const start = this.size < this.ts.length ? 0 : this.head;
    const at = start + i;
    return at >= this.ts.length ? at - this.ts.length : at;
  }

  /** True while every held point is at or after its predecessor (the disorder pair has left). */
  inOrder(): boolean {
    return this.lastDisorder - 1 < this.appends - this.size;
  }
}

export class HotStore {
  private readonly rings: (Ring | undefined)[];
  private readonly latestTs: Float64Array;
  private readonly latestValue: Float64Array;
  private readonly latestQuality: Uint8Array;
  private readonly latestLevel: Uint8Array;

  /** @param sensorCount sensors are addressed by dense index 0..sensorCount-1 */
  constructor(
    readonly sensorCount: number,
    readonly capacity: number,
  ) {
    this.rings = new Array<Ring | undefined>(sensorCount);
    this.latestTs = new Float64Array(sensorCount).fill(-1);
    this.latestValue = new Float64Array(sensorCount);
    this.latestQuality = new Uint8Array(sensorCount);
    this.latestLevel = new Uint8Array(sensorCount);
  }

  append(index: number, ts: number, value: number | null, quality: Quality, level: Level): void {
    let ring = this.rings[index];
    if (ring === undefined) {
      ring = new Ring(this.capacity);
      this.rings[index] = ring;
    }
    const v = value === null ? NaN : value;
    const q = QUALITY_CODE[quality];
    const l = LEVEL_CODE[level];
    if (ts < ring.lastTs) ring.lastDisorder = ring.appends;
    ring.lastTs = ts;
    ring.ts[ring.head] = ts;
    ring.values[ring.head] = v;
    ring.quality[ring.head] = q;
    ring.level[ring.head] = l;
    ring.appends++;
    ring.head = ring.head + 1 === this.capacity ? 0 : ring.head + 1;
    if (ring.size < this.capacity) ring.size++;
    if (ts >= (this.latestTs[index] ?? -1)) {
      this.latestTs[index] = ts;
      this.latestValue[index] = v;
      this.latestQuality[index] = q;
      this.latestLevel[index] = l;
    }
  }

  /** Points held for a sensor. */
  size(index: number): number {
    return this.rings[index]?.size ?? 0;
  }

  latest(index: number): LatestPoint | undefined {
    const ts = this.latestTs[index];
    if (ts === undefined || ts < 0) return undefined;
    const v = this.latestValue[index] ?? NaN;
    return {
      ts,
      value: Number.isNaN(v) ? null : v,
      quality: QUALITIES[this.latestQuality[index] ?? 0] ?? "good",
      level: LEVELS[this.latestLevel[index] ?? 0] ?? "normal",
    };
  }

  /** Oldest source timestamp held for a sensor (undefined when empty). */
  oldestTs(index: number): number | undefined {
    const ring = this.rings[index];
    if (ring === undefined || ring.size === 0) return undefined;
    if (ring.inOrder()) return ring.ts[ring.slot(0)];
    let min = Infinity;
    for (let i = 0; i < ring.size; i++) min = Math.min(min, ring.ts[i] ?? Infinity);
    return min;
  }

  /** Points with from ≤ ts ≤ to, sorted by ts. */
  range(index: number, from: number, to: number): HistoryPoint[] {
    const ring = this.rings[index];
    const out: HistoryPoint[] = [];
    if (ring === undefined) return out;
    const start = ring.size < this.capacity ? 0 : ring.head;
    let sorted = true;
    let prev = -Infinity;
    for (let i = 0; i < ring.size; i++) {
      const at = (start + i) % this.capacity;
      const ts = ring.ts[at] ?? 0;
      if (ts < from || ts > to) continue;
      const v = ring.values[at] ?? NaN;
      if (ts < prev) sorted = false;
      prev = ts;
      out.push([ts, Number.isNaN(v) ? null : v, QUALITIES[ring.quality[at] ?? 0] ?? "good"]);
    }
    if (!sorted) out.sort((a, b) => a[0] - b[0]);
    return out;
  }

  /**
   * The sensor's newest point with ts ≤ t (the later appended one on equal ts), or undefined.
   * O(log n) for an in-order ring, O(n) while it holds an out-of-order point.
   */
  atOrBefore(index: number, t: number): LatestPoint | undefined {
    const ring = this.rings[index];
    if (ring === undefined || ring.size === 0) return undefined;
    let found = -1;
    if (ring.inOrder()) {
      let lo = 0;
      let hi = ring.size - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if ((ring.ts[ring.slot(mid)] ?? Infinity) <= t) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found >= 0) found = ring.slot(found);
    } else {
      let best = -Infinity;
      for (let i = 0; i < ring.size; i++) {
        const at = ring.slot(i);
        const ts = ring.ts[at] ?? Infinity;
        if (ts <= t && ts >= best) {
          best = ts;
          found = at;
        }
      }
    }
    if (found < 0) return undefined;
    const v = ring.values[found] ?? NaN;
    return {
      ts: ring.ts[found] ?? 0,
      value: Number.isNaN(v) ? null : v,
      quality: QUALITIES[ring.quality[found] ?? 0] ?? "good",
      level: LEVELS[ring.level[found] ?? 0] ?? "normal",
    };
  }

  /**
   * The earliest instant from which the store holds every sensor's data: the latest of the
   * per-sensor oldest held timestamps (undefined when no sensor has data).
   */
  hotFrom(): number | undefined {
    let from: number | undefined;
    for (let i = 0; i < this.sensorCount; i++) {
      const oldest = this.oldestTs(i);
      if (oldest !== undefined && (from === undefined || oldest > from)) from = oldest;
    }
    return from;
  }
}
