/**
 * Readings waiting for the next frame, at most one per sensor (the last queued wins). Keyed by
 * point index with a slot array, so queueing is one array read and no hashing or map growth.
 */
import type { LiveReading } from "@citytwin/model";

export class ReadingQueue {
  private readings: LiveReading[] = [];
  private indices: number[] = [];
  /** Position of sensor i's reading in `readings`, −1 when none is queued. */
  private readonly slot: Int32Array;

  constructor(sensors: number) {
    this.slot = new Int32Array(sensors).fill(-1);
  }

  get size(): number {
    return this.readings.length;
  }

  add(i: number, r: LiveReading): void {
    const at = this.slot[i]!;
    if (at >= 0) {
      this.readings[at] = r;
      return;
    }
    this.slot[i] = this.readings.length;
    this.readings.push(r);
    this.indices.push(i);
  }

  /** Empties the queue, calling `apply` per queued reading in queueing order. */
  drain(apply: (i: number, r: LiveReading) => void): void {
    const readings = this.readings;
    const indices = this.indices;
    this.readings = [];
    this.indices = [];
    for (let k = 0; k < readings.length; k++) {
      const i = indices[k]!;
      this.slot[i] = -1;
      apply(i, readings[k]!);
    }
  }
}
