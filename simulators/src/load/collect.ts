/**
 * Merges the workers' 1 s ticks (and the /live probe's windows, and the spawned processes' CPU)
 * into report rows, and keeps the running totals the progress line shows.
 */
import { Histogram, SecondWindows } from "./histogram";
import type { SecondRow } from "./report/types";
import type { Tick } from "./worker";

export const BUSY_PCT = 85;

export class Collector {
  readonly puback: SecondWindows;
  private readonly rows = new Map<number, SecondRow>();
  private readonly seen = new Map<number, number>();
  totals = { offered: 0, sent: 0, acked: 0, errors: 0, disconnects: 0, suppressed: 0 };

  constructor(
    readonly startMs: number,
    readonly workers: number,
  ) {
    this.puback = new SecondWindows(startMs);
  }

  private row(t: number): SecondRow {
    let r = this.rows.get(t);
    if (r === undefined) {
      const none = new Histogram().quantiles();
      r = {
        t,
        offered: 0,
        sent: 0,
        acked: 0,
        errors: 0,
        disconnects: 0,
        suppressed: 0,
        puback: none,
        live: none,
        workerCpu: Array<number>(this.workers).fill(0),
        workerElu: Array<number>(this.workers).fill(0),
      };
      this.rows.set(t, r);
    }
    return r;
  }

  /** Adds a tick; returns the second when every worker has reported it (else undefined). */
  add(tick: Tick): number | undefined {
    const r = this.row(tick.second);
    for (const k of ["sent", "acked", "errors", "disconnects", "suppressed"] as const) {
      r[k] += tick[k];
      this.totals[k] += tick[k];
    }
    r.offered += tick.offered - tick.suppressed;
    this.totals.offered += tick.offered - tick.suppressed;
    r.workerCpu[tick.worker] = Math.round(tick.cpuPct * 10) / 10;
    r.workerElu[tick.worker] = Math.round(tick.eluPct * 10) / 10;
    this.puback.mergeAt(tick.second, tick.puback);
    const n = (this.seen.get(tick.second) ?? 0) + 1;
    this.seen.set(tick.second, n);
    if (n < this.workers) return undefined;
    r.puback = this.puback.take(tick.second).quantiles();
    return tick.second;
  }

  setProc(t: number, gatewayCpu: number, influxdCpu: number): void {
    const r = this.row(t);
    r.gatewayCpu = Math.round(gatewayCpu * 10) / 10;
    r.influxdCpu = Math.round(influxdCpu * 10) / 10;
  }

  get(t: number): SecondRow | undefined {
    return this.rows.get(t);
  }

  /** All rows in time order, live latency filled from the probe's windows. */
  series(live?: SecondWindows): SecondRow[] {
    if (live) for (const s of live.seconds.keys()) this.row(s).live = live.take(s).quantiles();
    for (const [s, r] of this.rows)
      if (this.puback.seconds.has(s)) r.puback = this.puback.take(s).quantiles();
    return [...this.rows.values()].sort((a, b) => a.t - b.t);
  }
}
