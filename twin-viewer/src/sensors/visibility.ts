/**
 * Which sensor points are drawn: a layer filter (domain, district, street) hides a sensor; while
 * clustered (zoomed out) only sensors in alarm (orange/red, gateway online) keep their own point.
 * One flag byte per sensor; a change is one pass over the points and no allocation.
 */
import type { PointPrimitiveCollection } from "cesium";
import type { Level } from "@citytwin/model";
import { isAlarmLevel } from "./sensor-colors";

export interface VisibilityInputs {
  /** The drawn level at point index i (undefined: no data). */
  levelAt(i: number): Level | undefined;
  offlineAt(i: number): boolean;
}

export class SensorVisibility {
  private readonly filtered: Uint8Array;
  private clustered = false;

  constructor(
    private readonly points: PointPrimitiveCollection,
    private readonly inputs: VisibilityInputs,
  ) {
    this.filtered = new Uint8Array(points.length);
  }

  filteredAt(i: number): boolean {
    return this.filtered[i] === 1;
  }

  /** Sets the filter flags from `hide(i)`; returns how many are filtered out. */
  filter(hide: (i: number) => boolean): number {
    let hidden = 0;
    for (let i = 0; i < this.filtered.length; i++) {
      this.filtered[i] = hide(i) ? 1 : 0;
      hidden += this.filtered[i]!;
      this.points.get(i).show = this.shows(i);
    }
    return hidden;
  }

  /** False when nothing changed. */
  setClustered(on: boolean): boolean {
    if (this.clustered === on) return false;
    this.clustered = on;
    for (let i = 0; i < this.filtered.length; i++) this.points.get(i).show = this.shows(i);
    return true;
  }

  /** After point i's state changed: only clustering depends on the state. */
  refresh(i: number): void {
    if (this.clustered) this.points.get(i).show = this.shows(i);
  }

  count(): number {
    let n = 0;
    for (let i = 0; i < this.filtered.length; i++) if (this.points.get(i).show) n++;
    return n;
  }

  private shows(i: number): boolean {
    if (this.filtered[i] === 1) return false;
    if (!this.clustered) return true;
    const level = this.inputs.levelAt(i);
    return level !== undefined && isAlarmLevel(level) && !this.inputs.offlineAt(i);
  }
}
