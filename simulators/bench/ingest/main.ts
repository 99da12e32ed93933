/**
 * Ingest end to end (issue 7): readings per second sustained from edge batches into InfluxDB
 * 1.x with zero loss, for three paths in one run against the same influxd: the raw /write
 * ceiling, the CityTwin gateway, and the stack field engineers build by hand (Mosquitto +
 * Node-RED). What is measured and how, and the JSON report: docs/benchmarks-ingest.md.
 *
 *   npx tsx simulators/bench/ingest/main.ts [--peers raw,citytwin,nodered] [--seconds 10]
 *     [--steps 20000,40000,80000,120000,140000,160000,200000,240000,280000] [--nodered-steps <default: --steps>]
 *     [--raw-seconds 10] [--raw-concurrency 4] [--raw-points 3000000] [--gateways 20] [--devices 100]
 *     [--workers 2] [--inflight 4] [--p99-bound-ms 1000] [--drain-s 20] [--keep-going]
 *     [--nodered-dir ~/.cache/citytwin-bench/node-red] [--out bench-results]
 *     [--gateway-set influx.concurrency=1 …] (CityTwin's gateway config; simulators/src/load/gateway-set.ts)
 *
 * 1. raw: pre-built 5,000-line batches in the gateway's schema POSTed to /write by a few
 *    concurrent requests, then by one (raw.ts), verified with `SELECT count(value)`.
 * 2. citytwin: the gateway (journal on) fed by paced MQTT.js workers at stepped offered rates
 *    (peer-citytwin.ts); latency sensor ts → /live frame.
 * 3. nodered: Mosquitto + Node-RED installed from npm at bench time (nodered.ts), the same
 *    workers and batches (peer-nodered.ts); latency = storage lag.
 * Each ramp stops at its first step that breaks a bound (`--keep-going`: runs them all).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stopAll } from "../../../test/support/child";
import { createDatabase, startInfluxd } from "../../../test/support/influxd";
import { parseGatewaySets } from "../../src/load/gateway-set";
import { influxdVersion } from "../common/versions";
import { cpuPercent, sampleProc } from "../edge-load/proc-sampler";
import { mosquittoVersion } from "../broker/brokers";
import { benchCity } from "../broker/payload";
import { DEFAULT_NODE_RED_DIR, ensureNodeRed } from "./nodered";
import { runCityTwin } from "./peer-citytwin";
import { runNodeRed } from "./peer-nodered";
import { bestStep, count, fmt, log, MIN_ACCEPTED_SHARE, type RampOptions } from "./ramp";
import { buildBatches, postRaw, type RawResult } from "./raw";
import {
  renderMarkdown,
  type IngestReport,
  type NodeRedStep,
  type PeerName,
  type StepResult,
} from "./report";

const PEERS: PeerName[] = ["raw", "citytwin", "nodered"];
const { values: a } = parseArgs({
  options: {
    peers: { type: "string", default: PEERS.join(",") },
    seconds: { type: "string", default: "10" },
    steps: { type: "string", default: "20000,40000,80000,120000,140000,160000,200000,240000,280000" },
    "nodered-steps": { type: "string" },
    "raw-seconds": { type: "string", default: "10" },
    "raw-concurrency": { type: "string", default: "4" },
    "raw-points": { type: "string", default: "3000000" },
    gateways: { type: "string", default: "20" },
    devices: { type: "string", default: "100" },
    workers: { type: "string", default: "2" },
    inflight: { type: "string", default: "4" },
    "p99-bound-ms": { type: "string", default: "1000" },
    "drain-s": { type: "string", default: "20" },
    "keep-going": { type: "boolean", default: false },
    "nodered-dir": { type: "string", default: DEFAULT_NODE_RED_DIR },
    out: { type: "string", default: "bench-results" },
    "gateway-set": { type: "string", multiple: true },
  },
});
const gatewaySets = parseGatewaySets(a["gateway-set"]);
const n = (
  k:
    | "seconds"
    | "raw-seconds"
    | "raw-concurrency"
    | "raw-points"
    | "gateways"
    | "devices"
    | "workers"
    | "inflight"
    | "p99-bound-ms"
    | "drain-s",
) => Number(a[k]);
const rates = (s: string) => s.split(",").map(Number);
const peers = a.peers.split(",").map((p) => p.trim()) as PeerName[];
for (const p of peers)
  if (!PEERS.includes(p)) throw new Error(`--peers: unknown peer "${p}" (raw, citytwin, nodered)`);
const BATCH_LINES = 5000;
const RAW_DB = "raw";
const RAW1_DB = "raw1";
const ramp: RampOptions = {
  seconds: n("seconds"),
  gateways: n("gateways"),
  devices: n("devices"),
  workers: n("workers"),
  inflight: n("inflight"),
  p99BoundMs: n("p99-bound-ms"),
  drainS: n("drain-s"),
  keepGoing: a["keep-going"],
};

const loadAvgStart = loadavg();
const dir = mkdtempSync(join(tmpdir(), "citytwin-bench-ingest-"));
const city = benchCity(ramp.gateways, ramp.devices);
const peerDir = (p: PeerName) => {
  mkdirSync(join(dir, p));
  return join(dir, p);
};

/** Raw ceiling into `db` with `concurrency` requests in flight. */
async function rawPart(url: string, db: string, concurrency: number, baseTs: number): Promise<RawResult> {
  await createDatabase(url, db);
  const rawPoints = Math.ceil(n("raw-points") / BATCH_LINES) * BATCH_LINES;
  log(`raw: building ${fmt(rawPoints)} lines in ${BATCH_LINES}-line batches …`);
  const batches = buildBatches(city, rawPoints, BATCH_LINES, baseTs);
  log(`raw: posting for up to ${n("raw-seconds")} s with ${concurrency} concurrent request(s) …`);
  const part = await postRaw(url, db, batches, BATCH_LINES, concurrency, n("raw-seconds"));
  batches.length = 0;
  const r: RawResult = { ...part, counted: await count(url, db) };
  log(`raw: ${fmt(r.pointsPerS)} points/s (${fmt(r.points)} posted, ${fmt(r.counted)} counted)`);
  return r;
}

try {
  // Installed before anything is measured, so a failing install fails fast.
  const nodeRedVersion = peers.includes("nodered") ? ensureNodeRed(a["nodered-dir"], log) : null;
  const influx = await startInfluxd();
  const influxPid = influx.child.proc.pid ?? 0;
  log(`influxd at ${influx.url}; peers ${peers.join(", ")}`);

  let raw: RawResult | null = null;
  let raw1: RawResult | null = null;
  let rawInfluxCpu = 0;
  if (peers.includes("raw")) {
    const r0 = sampleProc(influxPid);
    raw = await rawPart(influx.url, RAW_DB, n("raw-concurrency"), Date.now() - 24 * 3600_000);
    rawInfluxCpu = cpuPercent(r0, sampleProc(influxPid));
    // Reference: one request in flight.
    raw1 = await rawPart(influx.url, RAW1_DB, 1, Date.now() - 23 * 3600_000);
  }
  const inf = { url: influx.url, pid: influxPid };
  const steps: StepResult[] = peers.includes("citytwin")
    ? await runCityTwin(inf, city, peerDir("citytwin"), rates(a.steps), ramp, BATCH_LINES, gatewaySets)
    : [];
  const nrSteps: NodeRedStep[] | null =
    nodeRedVersion === null
      ? null
      : await runNodeRed(
          inf,
          a["nodered-dir"],
          city,
          peerDir("nodered"),
          rates(a["nodered-steps"] ?? a.steps),
          ramp,
        );
  await influx.stop();

  const top = bestStep(steps);
  const nrTop = nrSteps === null ? undefined : bestStep(nrSteps);
  const argv = process.argv.slice(2).join(" ");
  const report: IngestReport = {
    command: `npx tsx simulators/bench/ingest/main.ts${argv ? ` ${argv}` : ""}`,
    peers,
    machine: {
      cpu: cpus()[0]?.model ?? "?",
      cores: cpus().length,
      memGiB: totalmem() / 2 ** 30,
      node: process.version,
      influxd: influxdVersion(),
      mosquitto: nodeRedVersion === null ? null : mosquittoVersion(),
      nodeRed: nodeRedVersion,
      loadAvgStart,
      loadAvgEnd: loadavg(),
    },
    load: {
      "raw influxd CPU %": Math.round(rawInfluxCpu),
      gateways: ramp.gateways,
      "load workers": Math.min(ramp.workers, ramp.gateways),
      "readings per batch": ramp.devices * 2,
      "in-flight per client": ramp.inflight,
      "step s": ramp.seconds,
      "gateway influx batchSize": BATCH_LINES,
    },
    bounds: { lossReadings: 0, p99LiveMs: ramp.p99BoundMs, minAcceptedShare: MIN_ACCEPTED_SHARE },
    raw,
    raw1,
    steps,
    best:
      top === undefined
        ? null
        : {
            offeredPerS: top.offeredPerS,
            acceptedPerS: top.acceptedPerS,
            ratioToRaw: raw === null ? null : top.acceptedPerS / raw.pointsPerS,
          },
    nodered:
      nrSteps === null
        ? null
        : {
            steps: nrSteps,
            best:
              nrTop === undefined
                ? null
                : { offeredPerS: nrTop.offeredPerS, acceptedPerS: nrTop.acceptedPerS },
          },
    ratios: {
      citytwinToNodeRed: top && nrTop ? top.acceptedPerS / nrTop.acceptedPerS : null,
      citytwinToRaw: top && raw ? top.acceptedPerS / raw.pointsPerS : null,
    },
  };
  const md = renderMarkdown(report);
  console.log(`\n${md}`);
  mkdirSync(a.out, { recursive: true });
  writeFileSync(join(a.out, "ingest.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(a.out, "ingest.md"), md);
  log(`wrote ${join(a.out, "ingest.json")} and ingest.md`);
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
