/** The broker bench's Markdown table (bench-results/broker.md and docs/benchmarks-broker.md). */
import type { Percentiles } from "./stats";
import type { RunResult } from "./scenario";

export interface BrokerReport {
  command: string;
  machine: { cpu: string; cores: number; memGiB: number; node: string; mosquitto: string; aedes: string };
  load: Record<string, number | string>;
  runs: RunResult[];
}

const num = (x: number) => Math.round(x).toLocaleString("en");
const ms = (p: Percentiles | undefined) =>
  p === undefined || p.samples === 0
    ? "–"
    : [p.p50, p.p99, p.p999].map((x) => (x < 10 ? x.toFixed(1) : x.toFixed(0))).join(" / ");

export function renderMarkdown(r: BrokerReport): string {
  const lines = [
    `## CityTwin gateway broker vs Mosquitto`,
    ``,
    `Command: \`${r.command}\``,
    ``,
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGiB.toFixed(0)} GiB, Node ${r.machine.node}, ${r.machine.mosquitto}, Aedes ${r.machine.aedes}.`,
    `Load: ${Object.entries(r.load)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
    ``,
    `| pattern | QoS | broker | delivered msg/s | ratio CT/Mq | published msg/s | end-to-end p50 / p99 / p99.9 ms | PUBACK RTT p50 / p99 / p99.9 ms | broker CPU % | msg per broker CPU-s | load CPU % |`,
    `|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|`,
  ];
  for (const run of r.runs) {
    const peer = r.runs.find(
      (x) => x.pattern === run.pattern && x.qos === run.qos && x.broker === "mosquitto",
    );
    const ratio =
      run.broker === "citytwin" && peer && peer.deliveredPerS > 0
        ? `**${(run.deliveredPerS / peer.deliveredPerS).toFixed(2)}×**`
        : "";
    lines.push(
      `| ${run.pattern} | ${run.qos} | ${run.broker === "citytwin" ? "CityTwin" : "Mosquitto"} | ${num(run.deliveredPerS)} | ${ratio} | ${num(run.publishedPerS)} | ${ms(run.endToEndMs)} | ${ms(run.pubackMs)} | ${run.brokerCpuPct.toFixed(0)} | ${run.brokerCpuPct > 0 ? num((run.deliveredPerS * 100) / run.brokerCpuPct) : "–"} | ${run.loadCpuPct.toFixed(0)} |`,
    );
  }
  lines.push(
    ``,
    `Gateway ingest counters, fan-in runs (fresh gateway each run): batches decoded, rejected / shed / publishes held by backpressure:`,
  );
  for (const run of r.runs) {
    const c = run.gatewayCounters;
    if (c)
      lines.push(
        `- ${run.pattern} QoS ${run.qos}: ${num(c.batches)} batches decoded, ${num(c.rejected)} / ${num(c.shed)} / ${num(c.held)}`,
      );
  }
  return `${lines.join("\n")}\n`;
}
