/**
 * Report by exception, between the drivers and the batcher. Per point it keeps the last
 * reported value, quality and edge time (O(1) state, O(1) per reading) and reports a reading
 * when, in this order:
 *  1. it is the point's first reading, or its quality differs from the last reported one
 *     (quality changes always publish, even inside minIntervalMs);
 *  2. less than minIntervalMs has passed since the last report → suppressed;
 *  3. maxIntervalMs has passed since the last report → reported (heartbeat);
 *  4. the value moved: numbers by more than the deadband (|v − last| > deadband; NaN equals
 *     only NaN), other values (boolean, string, null) when different.
 * The heartbeat fires when a reading arrives (polling devices read every interval); a
 * point that stops producing readings is the missing-data detector's business.
 */
import type { Reading } from "../drivers/types";
import type { PointPolicy } from "./policy";

export interface RbeStats {
  /** Readings seen by the filter. */
  in: number;
  /** Readings reported (including pass-through points). */
  passed: number;
  suppressed: number;
  heartbeats: number;
  qualityChanges: number;
}

interface PointState {
  policy: PointPolicy | undefined;
  value: Reading["value"];
  quality: Reading["quality"];
  at: number;
  seen: boolean;
}

export type PolicyLookup = (deviceId: string, key: string) => PointPolicy | undefined;

export class RbeFilter {
  private readonly points = new Map<string, Map<string, PointState>>();
  private readonly counters: RbeStats = { in: 0, passed: 0, suppressed: 0, heartbeats: 0, qualityChanges: 0 };
  private readonly suppressedBy = new Map<string, number>();

  constructor(private readonly lookup: PolicyLookup) {}

  /** The readings to report, in input order. `now` is edge time, ms. */
  filter(readings: readonly Reading[], now: number): Reading[] {
    const out: Reading[] = [];
    for (const r of readings) if (this.accept(r, now)) out.push(r);
    return out;
  }

  /** Decides one reading and, when reported, records it as the point's last report. */
  accept(r: Reading, now: number): boolean {
    this.counters.in++;
    const st = this.state(r.deviceId, r.key);
    const p = st.policy;
    if (p === undefined) {
      this.counters.passed++;
      return true;
    }
    let report: boolean;
    if (!st.seen) report = true;
    else if (r.quality !== st.quality) {
      report = true;
      this.counters.qualityChanges++;
    } else if (now - st.at < p.minIntervalMs) report = false;
    else if (now - st.at >= p.maxIntervalMs) {
      report = true;
      if (!moved(st.value, r.value, p.deadband)) this.counters.heartbeats++;
    } else report = moved(st.value, r.value, p.deadband);
    if (!report) {
      this.counters.suppressed++;
      this.suppressedBy.set(r.deviceId, (this.suppressedBy.get(r.deviceId) ?? 0) + 1);
      return false;
    }
    st.seen = true;
    st.value = r.value;
    st.quality = r.quality;
    st.at = now;
    this.counters.passed++;
    return true;
  }

  /** Forgets every point (policies are looked up again), e.g. after a config change. */
  reset(): void {
    this.points.clear();
  }

  stats(): RbeStats {
    return { ...this.counters };
  }

  /** Suppressed readings per device id. */
  suppressedByDevice(): Record<string, number> {
    return Object.fromEntries(this.suppressedBy);
  }

  private state(deviceId: string, key: string): PointState {
    let dev = this.points.get(deviceId);
    if (dev === undefined) this.points.set(deviceId, (dev = new Map()));
    let st = dev.get(key);
    if (st === undefined) {
      st = { policy: this.lookup(deviceId, key), value: null, quality: "good", at: 0, seen: false };
      dev.set(key, st);
    }
    return st;
  }
}

/** Whether `next` differs from `last` beyond the deadband (see the module comment). */
export function moved(last: Reading["value"], next: Reading["value"], deadband: number): boolean {
  if (typeof last === "number" && typeof next === "number") {
    if (Number.isNaN(last) || Number.isNaN(next)) return Number.isNaN(last) !== Number.isNaN(next);
    return deadband > 0 ? Math.abs(next - last) > deadband : next !== last;
  }
  return last !== next;
}
