/**
 * Ingest end to end (issue 7): readings per second sustained from edge batches into InfluxDB
 * 1.x with zero loss, and sensor → WebSocket latency, against the raw ceiling of the same
 * influxd in the same run. What is measured and how: docs/benchmarks-ingest.md.
 *
 *   npx tsx simulators/bench/ingest/main.ts [--seconds 10] [--steps 20000,40000,80000,120000,140000,160000,200000]
 *     [--raw-seconds 10] [--raw-concurrency 4] [--raw-points 3000000] [--gateways 20] [--devices 100]
 *     [--workers 2] [--inflight 4] [--p99-bound-ms 1000] [--drain-s 20] [--keep-going] [--out bench-results]
 *
 * 1. Raw ceiling: pre-built 5,000-line batches in the gateway's schema POSTed to /write by a
 *    few concurrent requests (raw.ts), verified with `SELECT count(value)`.
 * 2. CityTwin: the gateway in a child process (broker bench's gateway-host.ts, demo mode,
 *    influx.v1 → the same influxd, a fresh database) fed by paced MQTT.js workers (load.ts)
 *    at a stepped offered rate; a `ws` client on /live measures sensor ts → frame receipt.
 *    After each step the gateway's ingest is drained and the step's readings are counted in
 *    InfluxDB. The ramp stops at the first step that breaks a bound.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { WebSocket } from "ws";
import { stopAll } from "../../../test/support/child";
import { createDatabase, querySeries, startInfluxd } from "../../../test/support/influxd";
import { influxdVersion } from "../common/versions";
import { cpuPercent, sampleProc, type ProcSample } from "../edge-load/proc-sampler";
import { forkTsx, type Forked } from "../broker/ipc";
import { benchCity, TENANT } from "../broker/payload";
import { percentiles, type WindowStats } from "../broker/stats";
import type { IngestLoadResult, IngestLoadSetup } from "./load";
import { buildBatches, postRaw, type RawResult } from "./raw";
import { renderMarkdown, type IngestReport, type StepResult } from "./report";

const { values: a } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    steps: { type: "string", default: "20000,40000,80000,120000,140000,160000,200000" },
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
    out: { type: "string", default: "bench-results" },
  },
});
const n = (k: Exclude<keyof typeof a, "keep-going" | "out" | "steps">) => Number(a[k]);
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BATCH_LINES = 5000;
const RAW_DB = "raw";
const RAW1_DB = "raw1";
const GW_DB = "citytwin";
const MIN_ACCEPTED_SHARE = 0.95;

const dir = mkdtempSync(join(tmpdir(), "citytwin-bench-ingest-"));
const city = benchCity(n("gateways"), n("devices"));

async function count(url: string, db: string, from?: number, to?: number): Promise<number> {
  const where = from === undefined ? "" : ` WHERE time >= ${from}ms AND time <= ${to}ms`;
  const s = await querySeries(url, db, `SELECT count(value) FROM "gas"${where}`);
  return Number(s[0]?.values[0]?.[1] ?? 0);
}

const workers: Forked[] = [];
let host: Forked | undefined;
let influxStop: (() => Promise<void>) | undefined;
try {
  const influx = await startInfluxd();
  influxStop = influx.stop;
  const influxPid = influx.child.proc.pid ?? 0;
  log(`influxd at ${influx.url}`);

  // 1. Raw ceiling.
  await createDatabase(influx.url, RAW_DB);
  const rawPoints = Math.ceil(n("raw-points") / BATCH_LINES) * BATCH_LINES;
  log(`raw: building ${rawPoints.toLocaleString("en")} lines in ${BATCH_LINES}-line batches …`);
  const batches = buildBatches(city, rawPoints, BATCH_LINES, Date.now() - 24 * 3600_000);
  log(`raw: posting for up to ${n("raw-seconds")} s with ${n("raw-concurrency")} concurrent requests …`);
  const r0 = sampleProc(influxPid);
  const rawPart = await postRaw(
    influx.url,
    RAW_DB,
    batches,
    BATCH_LINES,
    n("raw-concurrency"),
    n("raw-seconds"),
  );
  const rawInfluxCpu = cpuPercent(r0, sampleProc(influxPid));
  batches.length = 0;
  const raw: RawResult = { ...rawPart, counted: await count(influx.url, RAW_DB) };
  log(
    `raw: ${Math.round(raw.pointsPerS).toLocaleString("en")} points/s (${raw.points.toLocaleString("en")} posted, ${raw.counted.toLocaleString("en")} counted, influxd CPU ${rawInfluxCpu.toFixed(0)} %)`,
  );
  // Reference: the same with one request in flight, as the gateway's v1 writer sends.
  await createDatabase(influx.url, RAW1_DB);
  const batches1 = buildBatches(city, rawPoints, BATCH_LINES, Date.now() - 23 * 3600_000);
  const raw1Part = await postRaw(influx.url, RAW1_DB, batches1, BATCH_LINES, 1, n("raw-seconds"));
  batches1.length = 0;
  const raw1: RawResult = { ...raw1Part, counted: await count(influx.url, RAW1_DB) };
  log(`raw, 1 request in flight: ${Math.round(raw1.pointsPerS).toLocaleString("en")} points/s`);

  // 2. CityTwin gateway.
  await createDatabase(influx.url, GW_DB);
  writeFileSync(join(dir, "city.json"), JSON.stringify(city));
  writeFileSync(
    join(dir, "gateway.yaml"),
    stringify({
      version: 1,
      tenant: TENANT,
      mode: "demo",
      mqtt: { host: "127.0.0.1", port: 0 },
      http: { host: "127.0.0.1", port: 0 },
      city: "city.json",
      influx: {
        v1: { url: influx.url, database: GW_DB },
        batchSize: BATCH_LINES,
        flushIntervalMs: 1000,
        maxRetries: 5,
      },
    }),
  );
  host = forkTsx(join(import.meta.dirname, "../broker/gateway-host.ts"), [join(dir, "gateway.yaml")], {
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  });
  const ready = await host.call<{ mqttPort: number; httpPort: number }>("ready");
  const gwPid = host.proc.pid ?? 0;
  log(`gateway: mqtt :${ready.mqttPort}, http :${ready.httpPort}`);

  // Live client: latency per reading tuple whose ts falls in the current step.
  let liveSamples: number[] = [];
  let liveFrom = Infinity;
  let liveTo = -Infinity;
  const ws = new WebSocket(`ws://127.0.0.1:${ready.httpPort}/live`, { perMessageDeflate: false });
  ws.on("message", (data: Buffer) => {
    const now = Date.now();
    const m = JSON.parse(data.toString("utf8")) as { type: string; r?: [string, number][] };
    if (m.type !== "readings" || m.r === undefined) return;
    for (const t of m.r) if (t[1] >= liveFrom && t[1] <= liveTo) liveSamples.push(now - t[1]);
  });
  await new Promise<void>((res, rej) => {
    ws.once("open", () => res());
    ws.once("error", rej);
  });

  const perWorker = Math.ceil(n("gateways") / n("workers"));
  for (let w = 0; w < n("workers"); w++) {
    const gws = Array.from({ length: n("gateways") }, (_, i) => i).filter(
      (i) => Math.floor(i / perWorker) === w,
    );
    if (gws.length === 0) continue;
    const wk = forkTsx(join(import.meta.dirname, "load.ts"));
    const setup: IngestLoadSetup = {
      url: `mqtt://127.0.0.1:${ready.mqttPort}`,
      gateways: gws,
      devices: n("devices"),
      inflight: n("inflight"),
    };
    await wk.call("ready", { type: "setup", setup });
    workers.push(wk);
  }

  const gwMetrics = async () => {
    const text = await (await fetch(`http://127.0.0.1:${ready.httpPort}/metrics`)).text();
    const sum = (name: string) =>
      text
        .split("\n")
        .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
        .reduce((s, l) => s + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    return {
      readings: sum("citytwin_ingest_readings_total"),
      written: sum("citytwin_influx_points_written_total"),
      dropped: sum("citytwin_influx_points_dropped_total"),
      failures: sum("citytwin_influx_write_failures_total"),
    };
  };
  const hostStats = () =>
    host!.call<{ ingest: WindowStats; batches: number; rejected: number; shed: number; held: number }>(
      "stats",
      {
        type: "stats",
      },
    );
  const steps: StepResult[] = [];
  const stepRates = (a.steps ?? "").split(",").map(Number);
  for (const rate of stepRates) {
    log(`step ${rate.toLocaleString("en")} readings/s for ${n("seconds")} s …`);
    const c0 = await hostStats();
    const m0 = await gwMetrics();
    const start = Date.now() + 300;
    const endAt = start + n("seconds") * 1000;
    await host.call("ok", { type: "window", window: { from: start, to: endAt + 60_000 } });
    liveSamples = [];
    liveFrom = start;
    liveTo = endAt + 1000;
    const dones = workers.map((w) =>
      w.call<{ result: IngestLoadResult }>(
        "done",
        { type: "go", readingsPerS: rate / workers.length, startAt: start, endAt },
        120_000,
      ),
    );
    await sleep(start - Date.now());
    const p0: ProcSample[] = [gwPid, influxPid, ...workers.map((w) => w.proc.pid ?? 0)].map(sampleProc);
    let rss = 0;
    const rssTimer = setInterval(() => (rss = Math.max(rss, sampleProc(gwPid).rssBytes)), 500);
    const results = (await Promise.all(dones)).map((d) => d.result);
    clearInterval(rssTimer);
    const p1 = [gwPid, influxPid, ...workers.map((w) => w.proc.pid ?? 0)].map(sampleProc);
    rss = Math.max(rss, p1[0]!.rssBytes);
    const cpu = p0.map((p, i) => cpuPercent(p, p1[i]!));

    // Drain: ingest idle, then every reading the gateway ingested since the step began is
    // either written to InfluxDB or given up (writer counters), then count in InfluxDB.
    const t0 = Date.now();
    await host.call("idle", { type: "idle" }, n("drain-s") * 1000);
    const acked = results.reduce((s, r) => s + r.acked, 0);
    const from = Math.min(...results.map((r) => r.firstTs));
    const to = Math.max(...results.map((r) => r.lastTs));
    let m1 = await gwMetrics();
    while (
      m1.written + m1.dropped - (m0.written + m0.dropped) < m1.readings - m0.readings &&
      Date.now() - t0 < n("drain-s") * 1000
    ) {
      await sleep(250);
      m1 = await gwMetrics();
    }
    const inInflux = await count(influx.url, GW_DB, from, to);
    const drainS = (Date.now() - t0) / 1000;
    await sleep(Math.max(0, endAt + 1500 - Date.now()));
    const c1 = await hostStats();
    const liveMs = percentiles(liveSamples);
    const seconds = n("seconds");
    const acceptedPerS = acked / seconds;
    const loss = Math.max(0, acked - inInflux);
    const why: string[] = [];
    if (loss > 0) why.push(`${loss.toLocaleString("en")} readings lost`);
    if (liveMs.samples === 0 || liveMs.p99 > n("p99-bound-ms")) why.push(`p99 ${liveMs.p99} ms`);
    if (acceptedPerS < rate * MIN_ACCEPTED_SHARE)
      why.push(`accepted ${((acceptedPerS / rate) * 100).toFixed(0)} % of offered`);
    const step: StepResult = {
      offeredPerS: rate,
      acceptedPerS,
      acked,
      inInflux,
      loss,
      drainS,
      liveMs,
      ingestMs: c1.ingest.latencyMs,
      gatewayCpuPct: cpu[0]!,
      gatewayRssMiB: rss / 2 ** 20,
      influxdCpuPct: cpu[1]!,
      loadCpuPct: cpu.slice(2).reduce((s, x) => s + x, 0),
      shed: c1.shed - c0.shed,
      held: c1.held - c0.held,
      rejected: c1.rejected - c0.rejected,
      influxWriteFailures: m1.failures - m0.failures,
      influxDropped: m1.dropped - m0.dropped,
      held_ok: why.length === 0,
      why: why.join(", "),
    };
    steps.push(step);
    log(
      `  accepted ${Math.round(acceptedPerS).toLocaleString("en")}/s, in InfluxDB ${inInflux.toLocaleString("en")} of ${acked.toLocaleString("en")} (drain ${drainS.toFixed(1)} s), ` +
        `/live p50/p99 ${liveMs.p50}/${liveMs.p99} ms, gateway CPU ${step.gatewayCpuPct.toFixed(0)} % RSS ${step.gatewayRssMiB.toFixed(0)} MiB, influxd CPU ${step.influxdCpuPct.toFixed(0)} % → ${step.held_ok ? "held" : `broke (${step.why})`}`,
    );
    if (!step.held_ok && !a["keep-going"]) break;
  }
  ws.close();

  const held = steps.filter((s) => s.held_ok);
  const top = held.reduce<StepResult | undefined>(
    (b, s) => (b === undefined || s.acceptedPerS > b.acceptedPerS ? s : b),
    undefined,
  );
  const argv = process.argv.slice(2).join(" ");
  const report: IngestReport = {
    command: `npx tsx simulators/bench/ingest/main.ts${argv ? ` ${argv}` : ""}`,
    machine: {
      cpu: cpus()[0]?.model ?? "?",
      cores: cpus().length,
      memGiB: totalmem() / 2 ** 30,
      node: process.version,
      influxd: influxdVersion(),
    },
    load: {
      "raw influxd CPU %": Math.round(rawInfluxCpu),
      gateways: n("gateways"),
      "load workers": workers.length,
      "readings per batch": n("devices") * 2,
      "in-flight per client": n("inflight"),
      "step s": n("seconds"),
      "gateway influx batchSize": BATCH_LINES,
    },
    bounds: { lossReadings: 0, p99LiveMs: n("p99-bound-ms"), minAcceptedShare: MIN_ACCEPTED_SHARE },
    raw,
    raw1,
    steps,
    best:
      top === undefined
        ? null
        : {
            offeredPerS: top.offeredPerS,
            acceptedPerS: top.acceptedPerS,
            ratioToRaw: top.acceptedPerS / raw.pointsPerS,
          },
  };
  const md = renderMarkdown(report);
  console.log(`\n${md}`);
  mkdirSync(a.out, { recursive: true });
  writeFileSync(join(a.out, "ingest.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(a.out, "ingest.md"), md);
  log(`wrote ${join(a.out, "ingest.json")} and ingest.md`);
} finally {
  for (const w of workers) await w.stop();
  if (host !== undefined) {
    await host.call("never", { type: "stop" }, 20_000).catch(() => undefined);
    await host.stop();
  }
  await influxStop?.();
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
