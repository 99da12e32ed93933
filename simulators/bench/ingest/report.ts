/** The ingest bench's Markdown (bench-results/ingest.md and docs/benchmarks-ingest.md). */
import type { Percentiles } from "../broker/stats";
import type { RawResult } from "./raw";

export interface StepResult {
  offeredPerS: number;
  /** Readings PUBACKed by the gateway per second of the step. */
  acceptedPerS: number;
  acked: number;
  /** `SELECT count(value)` over the step's timestamps after the drain. */
  inInflux: number;
  loss: number;
  /** Points counted only in the recount RECOUNT_S s after the drain (included in inInflux). */
  late: number;
  drainS: number;
  /** Sensor ts → `/live` frame receipt, per reading tuple. */
  liveMs: Percentiles;
  /** Sensor ts → gateway ingest (after validation, before sinks), per batch. */
  ingestMs: Percentiles;
  gatewayCpuPct: number;
  gatewayRssMiB: number;
  influxdCpuPct: number;
  loadCpuPct: number;
  shed: number;
  held: number;
  rejected: number;
  /** Gateway writer: failed /write attempts and points given up during the step and drain. */
  influxWriteFailures: number;
  influxDropped: number;
  /** Telemetry publishes the full journal refused (no PUBACK). */
  journalRefused: number;
  /** Times the InfluxDB sink fell back to catching up from the journal (JSON only). */
  sinkCatchUps: number;
  held_ok: boolean;
  why: string;
}

/** One step of the Mosquitto + Node-RED peer. */
export interface NodeRedStep {
  offeredPerS: number;
  /** Readings PUBACKed by Mosquitto per second of the step. */
  acceptedPerS: number;
  acked: number;
  inInflux: number;
  loss: number;
  /** Points counted only in the recount RECOUNT_S s after the drain (included in inInflux). */
  late: number;
  /** Seconds from the step's end until the count was complete (or gave up). */
  drainS: number;
  /** Last reading's ts → the step's count in InfluxDB complete; null when it never was. */
  storageLagMs: number | null;
  nodeRedCpuPct: number;
  nodeRedRssMiB: number;
  mosquittoCpuPct: number;
  influxdCpuPct: number;
  loadCpuPct: number;
  held_ok: boolean;
  why: string;
}

export type PeerName = "raw" | "citytwin" | "nodered";
export interface Best {
  offeredPerS: number;
  acceptedPerS: number;
}

/** bench-results/ingest.json; documented in docs/benchmarks-ingest.md, "JSON report". */
export interface IngestReport {
  command: string;
  peers: PeerName[];
  machine: {
    cpu: string;
    cores: number;
    memGiB: number;
    node: string;
    influxd: string;
    /** "mosquitto version 2.0.11"; null without the nodered peer. */
    mosquitto: string | null;
    /** "Node-RED 4.1.15 + node-red-contrib-influxdb 0.7.0"; null without the nodered peer. */
    nodeRed: string | null;
    /** os.loadavg() (1, 5, 15 min) when the bench started and when it ended. */
    loadAvgStart: number[];
    loadAvgEnd: number[];
  };
  load: Record<string, number | string>;
  bounds: { lossReadings: 0; p99LiveMs: number; minAcceptedShare: number };
  /** Raw ceiling (null without the raw peer). */
  raw: RawResult | null;
  /** The same with one request in flight (a reference; the gateway's writer keeps up to influx.concurrency). */
  raw1: RawResult | null;
  /** CityTwin gateway steps (empty without the citytwin peer). */
  steps: StepResult[];
  best: (Best & { ratioToRaw: number | null }) | null;
  /** Mosquitto + Node-RED (null without the nodered peer). */
  nodered: { steps: NodeRedStep[]; best: Best | null } | null;
  /** Sustained-rate ratios (null when a side is missing or held no step). */
  ratios: { citytwinToNodeRed: number | null; citytwinToRaw: number | null };
}

const num = (x: number) => Math.round(x).toLocaleString("en");
const ms = (p: Percentiles) => (p.samples === 0 ? "–" : `${p.p50.toFixed(0)} / ${p.p99.toFixed(0)}`);

const stored = (s: { inInflux: number; acked: number; late: number }) =>
  `${num(s.inInflux)} of ${num(s.acked)}${s.late > 0 ? ` (${num(s.late)} late)` : ""}`;
const pct = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(0)} %`);
const times = (x: number | null) => (x === null ? "–" : `${x.toFixed(1)}×`);

export function renderMarkdown(r: IngestReport): string {
  const m = r.machine;
  const lines = [
    `## Ingest end to end: CityTwin gateway vs Mosquitto + Node-RED vs raw /write, into InfluxDB 1.x`,
    ``,
    `Command: \`${r.command}\``,
    ``,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB.toFixed(0)} GiB, load average ${m.loadAvgStart.map((x) => x.toFixed(2)).join(" ")} at start, ${m.loadAvgEnd.map((x) => x.toFixed(2)).join(" ")} at end (shared machine). Node ${m.node}, ${m.influxd} (inmem index, one process for all peers)${m.mosquitto === null ? "" : `, ${m.mosquitto}`}${m.nodeRed === null ? "" : `, ${m.nodeRed}`}.`,
    `Load: ${Object.entries(r.load)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
    `Bounds for a step to hold: zero loss (InfluxDB count after drain, recounted 5 s later if short, ≥ readings PUBACKed), p99 sensor → /live (Node-RED: storage lag) ≤ ${r.bounds.p99LiveMs} ms, CityTwin's storage drained within ${r.bounds.p99LiveMs} ms + one 1 s flush interval after the step, accepted ≥ ${(r.bounds.minAcceptedShare * 100).toFixed(0)} % of offered.`,
    ``,
    `**Sustained with zero loss**: CityTwin ${r.best === null ? "–" : `${num(r.best.acceptedPerS)} readings/s`}, Mosquitto + Node-RED ${r.nodered?.best ? `${num(r.nodered.best.acceptedPerS)} readings/s` : "–"}, raw ceiling ${r.raw === null ? "–" : `${num(r.raw.pointsPerS)} points/s`}. CityTwin / Node-RED stack: **${times(r.ratios.citytwinToNodeRed)}** (target ≥ 5×); CityTwin / raw ceiling: **${pct(r.ratios.citytwinToRaw)}** (target ≥ 80 %).`,
    ``,
  ];
  if (r.raw !== null && r.raw1 !== null)
    lines.push(
      `**Raw ceiling**: ${num(r.raw.pointsPerS)} points/s (${num(r.raw.points)} points in ${r.raw.seconds.toFixed(1)} s, ${r.raw.concurrency} concurrent POSTs of ${num(r.raw.batchLines)} lines; counted in InfluxDB: ${num(r.raw.counted)}; failed requests: ${r.raw.failures}).`,
      `Reference, one request in flight: ${num(r.raw1.pointsPerS)} points/s (counted: ${num(r.raw1.counted)} of ${num(r.raw1.points)}).`,
      ``,
    );
  if (r.peers.includes("citytwin")) {
    lines.push(
      `### CityTwin gateway (ingest journal on)`,
      ``,
      `| offered readings/s | accepted readings/s | in InfluxDB | loss | sensor→/live p50 / p99 ms | sensor→ingest p50 / p99 ms | gateway CPU % | gateway RSS MiB | influxd CPU % | load CPU % | shed / held / rejected | influx write failures / dropped | journal refused | held? |`,
      `|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|`,
    );
    for (const s of r.steps)
      lines.push(
        `| ${num(s.offeredPerS)} | ${num(s.acceptedPerS)} | ${stored(s)} | ${num(s.loss)} | ${ms(s.liveMs)} | ${ms(s.ingestMs)} | ${s.gatewayCpuPct.toFixed(0)} | ${s.gatewayRssMiB.toFixed(0)} | ${s.influxdCpuPct.toFixed(0)} | ${s.loadCpuPct.toFixed(0)} | ${num(s.shed)} / ${num(s.held)} / ${num(s.rejected)} | ${num(s.influxWriteFailures)} / ${num(s.influxDropped)} | ${num(s.journalRefused)} | ${s.held_ok ? "yes" : `**no**: ${s.why}`} |`,
      );
    lines.push(
      ``,
      r.best === null
        ? `No CityTwin step held the bounds.`
        : `Highest CityTwin step that held: ${num(r.best.offeredPerS)} readings/s offered, ${num(r.best.acceptedPerS)} accepted and stored${r.best.ratioToRaw === null ? "" : ` = **${pct(r.best.ratioToRaw)} of the raw ceiling** (target ≥ 80 %)`}.`,
      ``,
    );
  }
  if (r.nodered !== null) {
    lines.push(
      `### Mosquitto + Node-RED (mqtt in → json → function → influxdb batch)`,
      ``,
      `| offered readings/s | accepted readings/s | in InfluxDB | loss | storage lag ms | Node-RED CPU % | Node-RED RSS MiB | mosquitto CPU % | influxd CPU % | load CPU % | held? |`,
      `|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|`,
    );
    for (const s of r.nodered.steps)
      lines.push(
        `| ${num(s.offeredPerS)} | ${num(s.acceptedPerS)} | ${stored(s)} | ${num(s.loss)} | ${s.storageLagMs === null ? "–" : num(s.storageLagMs)} | ${s.nodeRedCpuPct.toFixed(0)} | ${s.nodeRedRssMiB.toFixed(0)} | ${s.mosquittoCpuPct.toFixed(0)} | ${s.influxdCpuPct.toFixed(0)} | ${s.loadCpuPct.toFixed(0)} | ${s.held_ok ? "yes" : `**no**: ${s.why}`} |`,
      );
    lines.push(
      ``,
      r.nodered.best === null
        ? `No Node-RED step held the bounds.`
        : `Highest Node-RED step that held: ${num(r.nodered.best.offeredPerS)} readings/s offered, ${num(r.nodered.best.acceptedPerS)} accepted and stored.`,
      ``,
    );
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
