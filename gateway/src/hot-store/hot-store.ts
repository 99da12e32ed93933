/**
 * Recent history per sensor in fixed-size rings of typed arrays (ts and value as Float64,
 * quality and level as Uint8). Append is O(1) and allocates nothing once a sensor's ring
 * exists (rings are created on a sensor's first reading, so unused sensors cost nothing).
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
  /** Next write position. */
  head = 0;
  size = 0;
  constructor(capacity: number) {
    this.ts = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.quality = new Uint8Array(capacity);
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
    ring.ts[ring.head] = ts;
    ring.values[ring.head] = v;
    ring.quality[ring.head] = q;
    ring.head = ring.head + 1 === this.capacity ? 0 : ring.head + 1;
    if (ring.size < this.capacity) ring.size++;
    if (ts >= (this.latestTs[index] ?? -1)) {
      this.latestTs[index] = ts;
      this.latestValue[index] = v;
      this.latestQuality[index] = q;
      this.latestLevel[index] = LEVEL_CODE[level];
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
}
