/** Totals and verdicts from a run's rows and counts. */
import type { LoadOptions } from "../args";
import { BUSY_PCT } from "../collect";
import { Histogram } from "../histogram";
import type { Machine } from "../machine";
import type { RateSpec } from "../pacing";
import type { GatewayCounters, IncidentLabel, LoadReport, SecondRow, Verdict } from "./types";

export interface RunFacts {
  command: string;
  options: LoadOptions;
  rate: RateSpec;
  machine: Machine;
  city: LoadReport["city"];
  incidents: IncidentLabel[];
  series: SecondRow[];
  totals: {
    offered: number;
    sent: number;
    acked: number;
    errors: number;
    disconnects: number;
    suppressed: number;
  };
  puback: Histogram;
  live: Histogram | undefined;
  stored: number | null;
  drainS: number | null;
  /** A spawned gateway's own account after the drain: points it gave up, journal backlog age. */
  gateway?: { dropped: number; journalLagS: number; counters: GatewayCounters };
  warnings: string[];
  startedAt: string;
}

const pct = (x: number) => `${x.toFixed(1)} %`;

/** What the gateway says of readings not stored yet: given up (lost), or still in its journal. */
const backlog = (g: RunFacts["gateway"]) =>
  g === undefined
    ? ""
    : g.dropped > 0
      ? ` (the gateway gave up ${g.dropped.toLocaleString("en")} points: citytwin_influx_points_dropped_total)`
      : g.journalLagS > 0
        ? ` when the drain ended; the gateway dropped none: they are in its ingest journal, still being written (oldest unwritten ${g.journalLagS.toFixed(0)} s old)`
        : "";

export function summarize(f: RunFacts): LoadReport {
  const seconds = f.rate.seconds;
  const inRun = f.series.filter((r) => r.t < seconds);
  const workers = (inRun[0]?.workerCpu ?? []).map((_, w) => {
    const cpu = inRun.map((r) => r.workerCpu[w] ?? 0);
    return {
      worker: w,
      cpuMeanPct: Math.round((cpu.reduce((s, x) => s + x, 0) / Math.max(1, cpu.length)) * 10) / 10,
      cpuMaxPct: Math.max(0, ...cpu),
      eluMaxPct: Math.max(0, ...inRun.map((r) => r.workerElu[w] ?? 0)),
    };
  });
  const t = f.totals;
  const missing = f.stored === null ? null : t.acked - f.stored;
  const verdicts: Verdict[] = [
    {
      name: "zero loss (acknowledged − stored = 0)",
      ok: missing === null ? null : missing === 0,
      detail:
        missing === null
          ? "storage not measured (use --spawn or --influx-url)"
          : missing === 0
            ? `all ${t.acked.toLocaleString("en")} acknowledged readings are stored`
            : missing > 0
              ? `${missing.toLocaleString("en")} acknowledged readings are missing from storage${backlog(f.gateway)}`
              : `${(-missing).toLocaleString("en")} more stored than acknowledged (replays or another writer in the range)`,
    },
    {
      name: "acknowledged ≥ 99 % of offered",
      ok: t.offered === 0 ? null : t.acked >= 0.99 * t.offered,
      detail: t.offered === 0 ? "nothing offered" : `${pct((t.acked / t.offered) * 100)} acknowledged`,
    },
    {
      name: `generator not the bottleneck (every worker ≤ ${BUSY_PCT} % busy)`,
      ok: workers.every((w) => Math.max(w.cpuMaxPct, w.eluMaxPct) <= BUSY_PCT),
      detail: workers
        .map((w) => `worker ${w.worker}: CPU max ${pct(w.cpuMaxPct)}, event loop max ${pct(w.eluMaxPct)}`)
        .join("; "),
    },
    {
      name: "no publish errors or disconnects",
      ok: t.errors === 0 && t.disconnects === 0,
      detail: `${t.errors} errors, ${t.disconnects} disconnects`,
    },
  ];
  const o = f.options;
  return {
    command: f.command,
    startedAt: f.startedAt,
    config: {
      city: o.city,
      rate: f.rate,
      intervalS: o.intervalS ?? null,
      batch: o.batch,
      maxDelayMs: o.maxDelayMs,
      inflight: o.inflight,
      workers: o.workers,
      target: o.spawn ? "spawned gateway (demo mode) + influxd" : (o.target ?? null),
      secure: o.credentials !== undefined,
      scenario: o.scenario ?? null,
      replay: o.replay === undefined ? null : { file: o.replay, speed: o.speed },
    },
    machine: f.machine,
    city: f.city,
    incidents: f.incidents,
    series: f.series,
    totals: {
      seconds,
      ...t,
      stored: f.stored,
      missing,
      gatewayDropped: f.gateway?.dropped ?? null,
      journalLagS: f.gateway?.journalLagS ?? null,
      gatewayCounters: f.gateway?.counters ?? null,
      offeredPerS: t.offered / seconds,
      ackedPerS: t.acked / seconds,
      puback: f.puback.quantiles(),
      live: (f.live ?? new Histogram()).quantiles(),
      workers,
      drainS: f.drainS,
    },
    verdicts,
    warnings: f.warnings,
  };
}
