/**
 * Edge agent footprint under Neuron's published load: 500 Modbus TCP devices × 30 tags polled
 * every second (15,000 readings/s), published to a real mosquitto (the peer broker, measured in
 * the same run for reference). Reports the agent's RSS, CPU (% of one core and per 1,000
 * readings/s) and publish latency (reading timestamp → subscriber), with machine info.
 * Targets (issue 3): RSS ≤ 64 MB and ≤ 15 % of one core.
 *
 *   npm run bench:edge -- [--devices 500] [--tags 30] [--ports 10] [--poll-ms 1000]
 *                         [--warmup 20] [--seconds 60] [--agent auto|bundle|tsx] [--out bench-results]
 *                         [--heap-mb <CT_EDGE_HEAP_MB>] [--v8-flags="<CT_EDGE_V8_FLAGS>"]
 *                         [--node-flags="…"] [--agent-env="NAME=value …"]
 *
 * By default the agent runs with the node flags and environment of its systemd unit
 * (edge/packaging/citytwin-edge.service, read by edge/packaging/unit-file.ts); `--heap-mb`
 * and `--v8-flags` set CT_EDGE_HEAP_MB and CT_EDGE_V8_FLAGS as /etc/citytwin/edge.env would
 * (the Modbus-only small-gateway profile: `--heap-mb 24 --v8-flags=--lite-mode`);
 * `--node-flags`/`--agent-env` replace the unit's flags/environment outright.
 *
 * `--agent bundle` runs dist/edge/citytwin-edge.mjs (`npm run package:edge`), the artefact a
 * gateway runs; `tsx` runs edge/src/main.ts through the tsx loader (adds the loader's memory).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { stringify } from "yaml";
import { startChild, stopAll } from "../../../test/support/child";
import { freePortBlock } from "../../../test/support/free-port";
import { startMosquitto } from "../../../test/support/mosquitto";
import { unitLaunch } from "../../../edge/packaging/unit-file";
import { benchEdgeConfig } from "./edge-config";
import { LatencyRecorder } from "./latency";
import { cpuPercent, sampleProc, type ProcSample } from "./proc-sampler";

const REPO = resolve(import.meta.dirname, "../../..");
const { values: a } = parseArgs({
  options: {
    devices: { type: "string", default: "500" },
    tags: { type: "string", default: "30" },
    ports: { type: "string", default: "10" },
    "poll-ms": { type: "string", default: "1000" },
    warmup: { type: "string", default: "20" },
    seconds: { type: "string", default: "60" },
    agent: { type: "string", default: "auto" },
    out: { type: "string", default: "bench-results" },
    /** CT_EDGE_HEAP_MB for the unit's ExecStart= (default: the unit's own). */
    "heap-mb": { type: "string" },
    /** CT_EDGE_V8_FLAGS for the unit's ExecStart= (default: the unit's own, none). */
    "v8-flags": { type: "string" },
    /** V8 flags for the agent (default: the unit's ExecStart= flags). */
    "node-flags": { type: "string" },
    /** Environment for the agent, NAME=value space-separated (default: the unit's Environment=). */
    "agent-env": { type: "string" },
  },
});
const n = (k: keyof typeof a) => Number(a[k]);
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
const bundle = join(REPO, "dist/edge/citytwin-edge.mjs");
const agentKind = a.agent === "auto" ? (existsSync(bundle) ? "bundle" : "tsx") : a.agent;

const dir = mkdtempSync(join(tmpdir(), "citytwin-edge-load-"));
const farmPort = await freePortBlock(n("ports"));
const { port: mqttPort, child: broker } = await startMosquitto(dir, { extraConfig: "persistence false\n" });
const farm = startChild("farm", process.execPath, [
  "--import",
  "tsx",
  join(import.meta.dirname, "modbus-farm.ts"),
  String(farmPort),
  a.ports,
  a.tags,
]);
await farm.waitFor(/farm ready/);
log(`mosquitto on ${mqttPort}, Modbus farm on ${farmPort}..${farmPort + n("ports") - 1}`);

const configFile = join(dir, "edge.yaml");
const config = benchEdgeConfig({
  devices: n("devices"),
  tags: n("tags"),
  ports: n("ports"),
  firstPort: farmPort,
  pollMs: n("poll-ms"),
  mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
  stateDir: join(dir, "state"),
});
writeFileSync(configFile, stringify(config));

const latency = new LatencyRecorder();
const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: "bench-subscriber" });
sub.on("message", (_t, payload) => latency.onBatch(payload, Date.now()));
await sub.subscribeAsync("ct/v1/bench/gw-bench/telemetry", { qos: 1 });

const unit = unitLaunch({
  ...(a["heap-mb"] === undefined ? {} : { CT_EDGE_HEAP_MB: a["heap-mb"] }),
  ...(a["v8-flags"] === undefined ? {} : { CT_EDGE_V8_FLAGS: a["v8-flags"] }),
});
const nodeFlags =
  a["node-flags"] === undefined ? unit.nodeFlags : a["node-flags"].split(/\s+/).filter((f) => f !== "");
const agentEnv =
  a["agent-env"] === undefined
    ? unit.env
    : Object.fromEntries(
        a["agent-env"]
          .split(/\s+/)
          .filter((kv) => kv.includes("="))
          .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
      );
const agentArgs = nodeFlags.concat(
  agentKind === "bundle"
    ? [bundle, "run", "--config", configFile]
    : ["--import", "tsx", join(REPO, "edge/src/main.ts"), "--config", configFile],
);
const agent = startChild("agent", process.execPath, agentArgs, {
  env: { ...process.env, ...agentEnv, LOG_LEVEL: "warn" },
});
const agentPid = agent.proc.pid ?? 0;
agent.proc.once("exit", (code, signal) => {
  if (stopping) return;
  console.error(
    `agent exited (${code ?? signal}) during the bench; its last output:\n${agent.output().slice(-3000)}`,
  );
  void stopAll().then(() => process.exit(1));
});
let stopping = false;
const brokerPid = broker.proc.pid ?? 0;
log(
  `agent (${agentKind}) pid ${agentPid}: ${n("devices")} devices × ${n("tags")} tags every ${n("poll-ms")} ms`,
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
for (let s = n("warmup"); s > 0; s -= 5) {
  await sleep(Math.min(5, s) * 1000);
  log(`warm-up: ${latency.readings.toLocaleString("en")} readings received`);
}
latency.reset();
const first: [ProcSample, ProcSample] = [sampleProc(agentPid), sampleProc(brokerPid)];
const rss: number[] = [];
const brokerRss: number[] = [];
for (let s = 0; s < n("seconds"); s++) {
  await sleep(1000);
  rss.push(sampleProc(agentPid).rssBytes);
  brokerRss.push(sampleProc(brokerPid).rssBytes);
  if ((s + 1) % 10 === 0)
    log(`measuring: ${s + 1}/${n("seconds")} s, ${latency.rate().toFixed(0)} readings/s`);
}
const last: [ProcSample, ProcSample] = [sampleProc(agentPid), sampleProc(brokerPid)];
const rate = latency.rate();
const agentCpu = cpuPercent(first[0], last[0]);
const brokerCpu = cpuPercent(first[1], last[1]);
const mb = (b: number) => b / 1024 / 1024;
const max = (xs: number[]) => Math.max(...xs);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
const lat = latency.percentiles();
const expected = (n("devices") * n("tags") * 1000) / n("poll-ms");

const report = {
  machine: {
    cpu: cpus()[0]?.model ?? "?",
    cores: cpus().length,
    memGiB: totalmem() / 2 ** 30,
    node: process.version,
  },
  load: {
    devices: n("devices"),
    tags: n("tags"),
    pollMs: n("poll-ms"),
    expectedReadingsPerS: expected,
    agent: agentKind,
    nodeFlags,
    agentEnv,
  },
  measured: {
    readingsPerS: rate,
    agentRssMiBMedian: mb(median(rss)),
    agentRssMiBMax: mb(max(rss)),
    agentCpuPercentOfOneCore: agentCpu,
    agentCpuPercentPer1kReadingsPerS: (agentCpu / rate) * 1000,
    latencyMs: lat,
    peerMosquitto: { cpuPercent: brokerCpu, rssMiBMax: mb(max(brokerRss)) },
  },
  targets: { rssMiB: 64, cpuPercent: 15 },
};
const m = report.measured;
const lines = [
  `## Edge agent under ${n("devices")} Modbus TCP devices × ${n("tags")} tags @ ${n("poll-ms")} ms (${agentKind})`,
  ``,
  `Machine: ${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}; ${n("seconds")} s measured after ${n("warmup")} s warm-up; agent flags: ${nodeFlags.join(" ") || "none"}; agent env: ${
    Object.entries(agentEnv)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ") || "none"
  }.`,
  ``,
  `| metric | agent | target | peer: mosquitto (same traffic) |`,
  `|---|---:|---:|---:|`,
  `| readings/s delivered | ${rate.toFixed(0)} (expected ${expected}) | | |`,
  `| RSS median / max (MiB) | ${m.agentRssMiBMedian.toFixed(1)} / ${m.agentRssMiBMax.toFixed(1)} | ≤ 64 | ${m.peerMosquitto.rssMiBMax.toFixed(1)} |`,
  `| CPU, % of one core | ${agentCpu.toFixed(1)} | ≤ 15 | ${brokerCpu.toFixed(1)} |`,
  `| CPU per 1,000 readings/s (% of one core) | ${m.agentCpuPercentPer1kReadingsPerS.toFixed(2)} | | |`,
  `| publish latency p50 / p95 / p99 (ms) | ${lat.p50} / ${lat.p95} / ${lat.p99} | | |`,
];
console.log(`\n${lines.join("\n")}\n`);
mkdirSync(a.out, { recursive: true });
writeFileSync(join(a.out, "edge-load.json"), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(a.out, "edge-load.md"), `${lines.join("\n")}\n`);
log(`wrote ${join(a.out, "edge-load.json")} and edge-load.md`);
stopping = true;
await sub.endAsync();
await stopAll();
