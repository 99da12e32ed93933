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
  held_ok: boolean;
  why: string;
}

export interface IngestReport {
  command: string;
  machine: { cpu: string; cores: number; memGiB: number; node: string; influxd: string };
  load: Record<string, number | string>;
  bounds: { lossReadings: 0; p99LiveMs: number; minAcceptedShare: number };
  raw: RawResult;
  /** The same with one request in flight (the gateway v1 writer's model). */
  raw1: RawResult;
  steps: StepResult[];
  best: { offeredPerS: number; acceptedPerS: number; ratioToRaw: number } | null;
}

const num = (x: number) => Math.round(x).toLocaleString("en");
const ms = (p: Percentiles) => (p.samples === 0 ? "–" : `${p.p50.toFixed(0)} / ${p.p99.toFixed(0)}`);

export function renderMarkdown(r: IngestReport): string {
  const lines = [
    `## Ingest end to end: CityTwin gateway → InfluxDB 1.x vs raw /write`,
    ``,
    `Command: \`${r.command}\``,
    ``,
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGiB.toFixed(0)} GiB, Node ${r.machine.node}, ${r.machine.influxd} (inmem index, same process for both parts).`,
    `Load: ${Object.entries(r.load)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
    `Bounds for a step to hold: zero loss (InfluxDB count after drain ≥ readings PUBACKed), p99 sensor → /live ≤ ${r.bounds.p99LiveMs} ms, accepted ≥ ${(r.bounds.minAcceptedShare * 100).toFixed(0)} % of offered.`,
    ``,
    `**Raw ceiling**: ${num(r.raw.pointsPerS)} points/s (${num(r.raw.points)} points in ${r.raw.seconds.toFixed(1)} s, ${r.raw.concurrency} concurrent POSTs of ${num(r.raw.batchLines)} lines; counted in InfluxDB: ${num(r.raw.counted)}; failed requests: ${r.raw.failures}).`,
    `Reference, one request in flight (as the gateway's v1 writer sends): ${num(r.raw1.pointsPerS)} points/s (counted: ${num(r.raw1.counted)} of ${num(r.raw1.points)}).`,
    ``,
    `| offered readings/s | accepted readings/s | in InfluxDB | loss | sensor→/live p50 / p99 ms | sensor→ingest p50 / p99 ms | gateway CPU % | gateway RSS MiB | influxd CPU % | load CPU % | shed / held / rejected | influx write failures / dropped | held? |`,
    `|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|`,
  ];
  for (const s of r.steps)
    lines.push(
      `| ${num(s.offeredPerS)} | ${num(s.acceptedPerS)} | ${num(s.inInflux)} of ${num(s.acked)} | ${num(s.loss)} | ${ms(s.liveMs)} | ${ms(s.ingestMs)} | ${s.gatewayCpuPct.toFixed(0)} | ${s.gatewayRssMiB.toFixed(0)} | ${s.influxdCpuPct.toFixed(0)} | ${s.loadCpuPct.toFixed(0)} | ${num(s.shed)} / ${num(s.held)} / ${num(s.rejected)} | ${num(s.influxWriteFailures)} / ${num(s.influxDropped)} | ${s.held_ok ? "yes" : `**no**: ${s.why}`} |`,
    );
  lines.push(
    ``,
    r.best === null
      ? `No step held the bounds.`
      : `Highest step that held: ${num(r.best.offeredPerS)} readings/s offered, ${num(r.best.acceptedPerS)} accepted and stored = **${(r.best.ratioToRaw * 100).toFixed(0)} % of the raw ceiling** (target ≥ 80 %).`,
  );
  return `${lines.join("\n")}\n`;
}
