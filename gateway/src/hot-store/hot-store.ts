/**
 * Recent history per sensor in rings of typed arrays: one Float64Array per sensor holding
 * [ts, value, quality·8 + level] per point, so a sensor costs one array and 24 bytes a point.
 * A ring is created on a sensor's first reading with room for 8 points and doubles as it
 * fills, up to `capacity` (unused sensors cost nothing, and a fresh 1M-sensor city does not
 * reserve hours of history it has not received). Append is O(1) amortised.
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

/** Bytes one held point costs (three float64s). */
export const BYTES_PER_POINT = 24;
const FIRST_RING_POINTS = 8;

/**
 * Points per sensor that fit `memoryMb` for `sensors` sensors, at most `pointsPerSensor`
 * and at least 2 (the config's bound): the hot store's memory is capped however big the city.
 */
export function hotStoreCapacity(sensors: number, pointsPerSensor: number, memoryMb: number): number {
  const fit = Math.floor((memoryMb * 2 ** 20) / (Math.max(1, sensors) * BYTES_PER_POINT));
  return Math.max(2, Math.min(pointsPerSensor, fit));
}

export type HistoryPoint = [ts: number, value: number | null, quality: Quality];

export interface LatestPoint {
  ts: number;
  value: number | null;
  quality: Quality;
  level: Level;
}

class Ring {
  /** [ts, value, code] per slot; code = quality·8 + level. */
  buf: Float64Array;
  cap: number;
  /** Next write position. */
  head = 0;
  size = 0;
  /** Points ever appended; the newest has sequence number appends - 1. */
  appends = 0;
  /** Timestamp of the newest appended point (by append order). */
  lastTs = -Infinity;
  /** Sequence number of the last point older than its predecessor (-Infinity: none). */
  lastDisorder = -Infinity;
  constructor(cap: number) {
    this.cap = cap;
    this.buf = new Float64Array(cap * 3);
  }

  /** Doubles the room (at most `max`), oldest point first, so head = size afterwards. */
  grow(max: number): void {
    const cap = Math.min(max, this.cap * 2);
    const buf = new Float64Array(cap * 3);
    // Two block copies: [oldest … end of the buffer), then the wrapped part from slot 0.
    const start = this.slot(0) * 3;
    const firstPart = Math.min(this.size * 3, this.buf.length - start);
    buf.set(this.buf.subarray(start, start + firstPart));
    buf.set(this.buf.subarray(0, this.size * 3 - firstPart), firstPart);
    this.buf = buf;
    this.cap = cap;
    this.head = this.size;
  }

  /** Physical slot of the i-th oldest held point. */
  slot(i: number): number {
    const start = this.size < this.cap ? 0 : this.head;
    const at = start + i;
    return at >= this.cap ? at - this.cap : at;
  }

  ts(slot: number): number {
    return this.buf[slot * 3]!;
  }

  value(slot: number): number | null {
    const v = this.buf[slot * 3 + 1]!;
    return Number.isNaN(v) ? null : v;
  }

  quality(slot: number): Quality {
    return QUALITIES[this.buf[slot * 3 + 2]! >> 3] ?? "good";
  }

  level(slot: number): Level {
    return LEVELS[this.buf[slot * 3 + 2]! & 7] ?? "normal";
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

  /**
   * @param sensorCount sensors are addressed by dense index 0..sensorCount-1
   * @param capacity most points held per sensor (see hotStoreCapacity)
   */
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
      ring = new Ring(Math.min(FIRST_RING_POINTS, this.capacity));
      this.rings[index] = ring;
    } else if (ring.size === ring.cap && ring.cap < this.capacity) ring.grow(this.capacity);
    const v = value === null ? NaN : value;
    const q = QUALITY_CODE[quality];
    const l = LEVEL_CODE[level];
    if (ts < ring.lastTs) ring.lastDisorder = ring.appends;
    ring.lastTs = ts;
    const at = ring.head * 3;
    ring.buf[at] = ts;
    ring.buf[at + 1] = v;
    ring.buf[at + 2] = q * 8 + l;
    ring.appends++;
    ring.head = ring.head + 1 === ring.cap ? 0 : ring.head + 1;
    if (ring.size < ring.cap) ring.size++;
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
    if (ring.inOrder()) return ring.ts(ring.slot(0));
    let min = Infinity;
    for (let i = 0; i < ring.size; i++) min = Math.min(min, ring.ts(i));
    return min;
  }

  /** Points with from ≤ ts ≤ to, sorted by ts. */
  range(index: number, from: number, to: number): HistoryPoint[] {
    const ring = this.rings[index];
    const out: HistoryPoint[] = [];
    if (ring === undefined) return out;
    let sorted = true;
    let prev = -Infinity;
    for (let i = 0; i < ring.size; i++) {
      const at = ring.slot(i);
      const ts = ring.ts(at);
      if (ts < from || ts > to) continue;
      if (ts < prev) sorted = false;
      prev = ts;
      out.push([ts, ring.value(at), ring.quality(at)]);
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
        if (ring.ts(ring.slot(mid)) <= t) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found >= 0) found = ring.slot(found);
    } else {
      let best = -Infinity;
      for (let i = 0; i < ring.size; i++) {
        const at = ring.slot(i);
        const ts = ring.ts(at);
        if (ts <= t && ts >= best) {
          best = ts;
          found = at;
        }
      }
    }
    if (found < 0) return undefined;
    return {
      ts: ring.ts(found),
      value: ring.value(found),
      quality: ring.quality(found),
      level: ring.level(found),
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
