/**
 * Staleness of the drawn readings: a sensor whose newest reading is older than 3× its device's
 * `intervalMs` is stale and drawn dimmed, even when no frame arrives (the gateway or the edge may
 * be gone). One flag byte per sensor; a sweep is one allocation-free pass over the sensors.
 */
import type { CityModel, Sensor } from "@citytwin/model";
import type { SensorState } from "./sensor-state";

/** Missed intervals after which a reading counts as stale. */
export const STALE_INTERVALS = 3;
/** Used for a sensor whose device is unknown. */
const DEFAULT_INTERVAL_MS = 10_000;

export class StaleTracker {
  private readonly limitMs: Float64Array;
  private readonly flags: Uint8Array;
  /** The reference time of the last sweep (0 before the first: nothing is stale yet). */
  private lastNow = 0;

  constructor(city: CityModel, ordered: readonly Sensor[]) {
    const interval = new Map(city.devices.map((d) => [d.id, d.intervalMs]));
    this.limitMs = new Float64Array(ordered.length);
    this.flags = new Uint8Array(ordered.length);
    ordered.forEach((s, i) => {
      this.limitMs[i] = STALE_INTERVALS * (interval.get(s.deviceId) ?? DEFAULT_INTERVAL_MS);
    });
  }

  isStale(i: number): boolean {
    return this.flags[i] === 1;
  }

  /** A reading with source time `ts` was just drawn for sensor i: judge it against the last sweep. */
  fresh(i: number, ts: number): void {
    this.flags[i] = this.lastNow - ts > this.limitMs[i]! ? 1 : 0;
  }

  /**
   * Re-judges every sensor against `now` (ms, server clock; the replay instant while replaying).
   * `flipped(i)` runs for each sensor whose flag changed, after the flag is updated.
   */
  sweep(now: number, stateOf: (i: number) => SensorState | undefined, flipped: (i: number) => void): void {
    this.lastNow = now;
    for (let i = 0; i < this.flags.length; i++) {
      const s = stateOf(i);
      const stale = s !== undefined && now - s.ts > this.limitMs[i]! ? 1 : 0;
      if (stale === this.flags[i]) continue;
      this.flags[i] = stale;
      flipped(i);
    }
  }
}
