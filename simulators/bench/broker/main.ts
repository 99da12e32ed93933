/**
 * CityTwin gateway broker vs Mosquitto (issue 7), same run, same MQTT.js clients and payloads:
 * fan-in (publishers → one consumer) and fan-out (one publisher → subscribers) at QoS 0 and 1,
 * each for a fixed window at full offered rate with a bounded in-flight window. What exactly
 * is measured on each side: docs/benchmarks-broker.md.
 *
 *   npx tsx simulators/bench/broker/main.ts [--clients 100] [--inflight 10] [--fanout-inflight 1000]
 *     [--devices 5] [--entries 2] [--warmup 3] [--seconds 10] [--qos 0,1] [--patterns fan-in,fan-out]
 *     [--out bench-results] [--gateway-set ingest.decodeThreads=0 …]
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { stopAll } from "../../../test/support/child";
import { parseGatewaySets } from "../../src/load/gateway-set";
import { mosquittoVersion, startBroker } from "./brokers";
import { telemetryBatch } from "./payload";
import { renderMarkdown, type BrokerReport } from "./report";
import { runScenario, type RunOptions, type RunResult } from "./scenario";

const REPO = resolve(import.meta.dirname, "../../..");
const { values: a } = parseArgs({
  options: {
    clients: { type: "string", default: "100" },
    inflight: { type: "string", default: "10" },
    "fanout-inflight": { type: "string", default: "1000" },
    devices: { type: "string", default: "5" },
    entries: { type: "string", default: "2" },
    warmup: { type: "string", default: "3" },
    seconds: { type: "string", default: "10" },
    qos: { type: "string", default: "0,1" },
    patterns: { type: "string", default: "fan-in,fan-out" },
    out: { type: "string", default: "bench-results" },
    "gateway-set": { type: "string", multiple: true },
  },
});
const gatewaySets = parseGatewaySets(a["gateway-set"]);
const n = (k: Exclude<keyof typeof a, "gateway-set">) => Number(a[k]);
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
const dir = mkdtempSync(join(tmpdir(), "citytwin-bench-broker-"));

const mqVersion = mosquittoVersion();
log(`${mqVersion} vs CityTwin gateway; ${n("clients")} clients; a fresh broker per run`);
const runs: RunResult[] = [];
try {
  for (const pattern of a.patterns.split(",") as RunOptions["pattern"][]) {
    for (const qos of a.qos.split(",").map(Number) as (0 | 1)[]) {
      for (const name of ["mosquitto", "citytwin"] as const) {
        const o: RunOptions = {
          pattern,
          qos,
          clients: n("clients"),
          inflightPerPublisher: n("inflight"),
          inflightFanout: n("fanout-inflight"),
          devices: n("devices"),
          entries: n("entries"),
          warmup: n("warmup"),
          seconds: n("seconds"),
        };
        log(`${pattern} QoS ${qos} ${name}: ${o.warmup} s warm-up + ${o.seconds} s …`);
        const b = await startBroker(name, dir, n("clients"), n("devices"), gatewaySets);
        const r = await runScenario(b, o).finally(() => b.stop());
        runs.push(r);
        const e = r.endToEndMs;
        log(
          `  ${Math.round(r.deliveredPerS).toLocaleString("en")} msg/s delivered (${Math.round(r.publishedPerS).toLocaleString("en")} published), ` +
            `e2e p50/p99/p99.9 ${e.p50}/${e.p99}/${e.p999} ms, broker CPU ${r.brokerCpuPct.toFixed(0)} %, load CPU ${r.loadCpuPct.toFixed(0)} %`,
        );
      }
    }
  }
  const argv = process.argv.slice(2).join(" ");
  const report: BrokerReport = {
    command: `npx tsx simulators/bench/broker/main.ts${argv ? ` ${argv}` : ""}`,
    machine: {
      cpu: cpus()[0]?.model ?? "?",
      cores: cpus().length,
      memGiB: totalmem() / 2 ** 30,
      node: process.version,
      mosquitto: mqVersion,
      aedes: (
        JSON.parse(readFileSync(join(REPO, "node_modules/aedes/package.json"), "utf8")) as { version: string }
      ).version,
    },
    load: {
      clients: n("clients"),
      "in-flight per publisher": n("inflight"),
      "fan-out in-flight": n("fanout-inflight"),
      "readings per batch": n("devices") * n("entries") * 2,
      "batch bytes": Buffer.byteLength(
        JSON.stringify(telemetryBatch(0, n("devices"), n("entries"), 1, 1, Date.now())),
      ),
      "warm-up s": n("warmup"),
      "window s": n("seconds"),
    },
    runs,
  };
  const md = renderMarkdown(report);
  console.log(`\n${md}`);
  mkdirSync(a.out, { recursive: true });
  writeFileSync(join(a.out, "broker.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(a.out, "broker.md"), md);
  log(`wrote ${join(a.out, "broker.json")} and broker.md`);
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
