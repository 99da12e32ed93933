/** report.md: the run in a few lines (figures, verdicts, warnings). */
import type { Quantiles } from "../histogram";
import { GATEWAY_COUNTERS } from "./gateway-counters";
import type { GatewayCounters, LoadReport } from "./types";

export const num = (x: number | null) => (x === null ? "–" : Math.round(x).toLocaleString("en"));
export const lat = (q: Quantiles) => (q.samples === 0 ? "–" : `${q.p50} / ${q.p95} / ${q.p99} / ${q.p999}`);
export const mark = (ok: boolean | null) => (ok === null ? "n/a" : ok ? "PASS" : "FAIL");

/** What the spawned gateway counted: where it strained (backpressure, shedding, catch-ups). */
function gatewayLine(c: GatewayCounters | null): string[] {
  if (c === null) return [];
  const counts = GATEWAY_COUNTERS.map(([key, what]) => `${what} ${num(c[key])}`);
  return [`Gateway (its own counters after the drain): ${counts.join(", ")}.`];
}

export function renderMarkdown(r: LoadReport): string {
  const t = r.totals;
  const m = r.machine;
  const lines = [
    `## CityTwin load run, ${r.startedAt}`,
    ``,
    `Command: \`${r.command}\``,
    ``,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}, ${m.influxd}, ${m.mosquitto}.`,
    `City: ${num(r.city.sensors)} sensors, ${num(r.city.devices)} devices, ${num(r.city.assets)} assets, ${r.city.districts} district(s), ${r.city.agents} agents (built in ${r.city.buildS.toFixed(1)} s).`,
    ``,
    `| | readings | per second |`,
    `|---|---:|---:|`,
    `| offered | ${num(t.offered)} | ${num(t.offeredPerS)} |`,
    `| sent | ${num(t.sent)} | ${num(t.sent / t.seconds)} |`,
    `| acknowledged (PUBACK) | ${num(t.acked)} | ${num(t.ackedPerS)} |`,
    `| stored (InfluxDB) | ${num(t.stored)} | ${t.stored === null ? "–" : num(t.stored / t.seconds)} |`,
    `| missing (acknowledged − stored) | ${num(t.missing)} | |`,
    ...(t.gatewayDropped === null ? [] : [`| of which the gateway dropped | ${num(t.gatewayDropped)} | |`]),
    ``,
    `Latency p50 / p95 / p99 / p99.9 ms: PUBACK ${lat(t.puback)} (${num(t.puback.samples)} batches); sensor → /live ${lat(t.live)} (${num(t.live.samples)} samples).`,
    `Errors ${t.errors}, disconnects ${t.disconnects}, readings suppressed by device_offline ${num(t.suppressed)}.`,
    ...gatewayLine(t.gatewayCounters),
    `Generator: ${t.workers.map((w) => `worker ${w.worker} CPU mean ${w.cpuMeanPct} % / max ${w.cpuMaxPct} %, event loop max ${w.eluMaxPct} %`).join("; ")}.`,
    ``,
    ...r.verdicts.map((v) => `- **${mark(v.ok)}** ${v.name}: ${v.detail}`),
  ];
  if (r.incidents.length > 0)
    lines.push(
      ``,
      `Injected: ${r.incidents.map((i) => `${i.id} (${i.type} on ${i.target}, ${i.startS}–${i.startS + i.durationS} s, ${i.sensors.length} sensors)`).join("; ")}.`,
    );
  if (r.warnings.length > 0) lines.push(``, ...r.warnings.map((w) => `> WARNING: ${w}`));
  return `${lines.join("\n")}\n`;
}
