/**
 * The suite's stages: each runs its bench(es) as child processes with the suite's parameters
 * (full or --quick), reads the JSON they write, keeps a copy beside the report and returns its
 * section: tables, targets and figures. A bench that fails or writes nothing leaves a section
 * that says so; the suite goes on.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import type { BrokerReport } from "../broker/report";
import type { StepResult } from "../ingest/report";
import type { Throughput } from "../detect/scenarios/throughput";
import type { LoadReport } from "../../src/load/report/types";
import { renderChart } from "../../src/load/report/svg";
import { exec, keepJson, mib, ms, num, readJson, rel, type Ctx } from "./context";
import type { CommandRun, Section, StageId, TargetRow } from "./types";

export const TITLES: Record<StageId, string> = {
  broker: "Broker: CityTwin gateway vs Mosquitto",
  ingest: "Ingest end to end",
  edge: "Edge agent footprint",
  detect: "Detector throughput",
  scaling: "Scaling curve: the city-scale load generator",
  profile: "Where the gateway's CPU goes at peak load",
  viewer: "Twin viewer: frame time at 100k live sensors",
};

/** Rough stage durations (s) for the ETA. */
export function estimateS(id: StageId, quick: boolean, sensors?: number[]): number {
  if (quick)
    return {
      broker: 50,
      ingest: 40,
      edge: 30,
      detect: 25,
      scaling: 25 * ((sensors?.length ?? 2) + 1),
      profile: 25,
      viewer: 40,
    }[id];
  const scaling = (sensors ?? [1000, 10000, 100000, 1000000]).reduce((s, n) => s + 90 + n / 2500, 120);
  return { broker: 200, ingest: 300, edge: 220, detect: 90, scaling, profile: 90, viewer: 150 }[id];
}

const readFileSafe = (f: string) => {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return "";
  }
};

export const section = (id: StageId): Section => ({
  id,
  title: TITLES[id],
  runs: [],
  markdown: [],
  targets: [],
  data: {},
  plots: [],
});

export const failed = (s: Section, run: CommandRun, what: string) => {
  s.markdown.push(`**Not measured**: ${what} (${run.error ?? "no JSON written"}).`, ``);
};

export const cmdLine = (run: CommandRun) =>
  `Command: \`${run.command}\` · raw JSON: ${run.json === null ? "none (the run failed)" : `[\`${run.json}\`](${run.json.replace(/^.*?benchmarks\//, "benchmarks/")})`}`;

// ---------------------------------------------------------------------------------------------

export async function broker(ctx: Ctx): Promise<Section> {
  const s = section("broker");
  const out = join(ctx.work, "broker");
  const args = ctx.quick ? ["--clients", "4", "--warmup", "1", "--seconds", "2"] : [];
  const { run } = await exec(ctx, ["npm", "run", "bench:broker", "--", ...args, "--out", rel(ctx, out)], {
    timeoutS: ctx.quick ? 240 : 900,
  });
  s.runs.push(run);
  const r = readJson<BrokerReport>(join(out, "broker.json"));
  if (!run.ok || r === undefined) {
    failed(s, run, "bench:broker did not finish");
    s.targets.push({
      section: "broker",
      target: "gateway broker ≥ 1.0× Mosquitto",
      measured: "not measured",
      met: null,
    });
    return s;
  }
  run.json = await keepJson(ctx, r, "broker.json");
  s.markdown.push(
    cmdLine(run),
    ``,
    `Same MQTT.js clients and payloads against both brokers, a fresh broker per run (docs/benchmarks-broker.md). Load: ${Object.entries(
      r.load,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}.`,
    ``,
    `| pattern | QoS | Mosquitto msg/s | CityTwin msg/s | CityTwin / Mosquitto (target ≥ 1.0×) | Mosquitto p50 / p99 / p99.9 ms | CityTwin p50 / p99 / p99.9 ms |`,
    `|---|---:|---:|---:|---:|---:|---:|`,
  );
  const rows: Record<string, unknown>[] = [];
  const lat = (p: { p50: number; p99: number; p999: number; samples: number } | undefined) =>
    p === undefined || p.samples === 0 ? "–" : `${ms(p.p50)} / ${ms(p.p99)} / ${ms(p.p999)}`;
  const keys = [...new Set(r.runs.map((x) => `${x.pattern}|${x.qos}`))];
  for (const key of keys) {
    const [pattern, qos] = key.split("|");
    const of = (b: string) => r.runs.find((x) => `${x.pattern}|${x.qos}` === key && x.broker === b);
    const mq = of("mosquitto");
    const ct = of("citytwin");
    const ratio = mq && ct && mq.deliveredPerS > 0 ? ct.deliveredPerS / mq.deliveredPerS : null;
    rows.push({
      pattern,
      qos: Number(qos),
      mosquittoPerS: mq?.deliveredPerS ?? null,
      citytwinPerS: ct?.deliveredPerS ?? null,
      ratio,
      mosquittoMs: mq?.endToEndMs ?? null,
      citytwinMs: ct?.endToEndMs ?? null,
    });
    s.markdown.push(
      `| ${pattern} | ${qos} | ${num(mq?.deliveredPerS)} | ${num(ct?.deliveredPerS)} | ${ratio === null ? "–" : `**${ratio.toFixed(2)}×**`} | ${lat(mq?.endToEndMs)} | ${lat(ct?.endToEndMs)} |`,
    );
    s.targets.push({
      section: "broker",
      target: `gateway broker ≥ 1.0× Mosquitto, ${pattern} QoS ${qos} (delivered msg/s)`,
      measured: ratio === null ? "not measured" : `${ratio.toFixed(2)}×`,
      met: ratio === null ? null : ratio >= 1,
    });
  }
  s.markdown.push(``, `Latency: publish → subscriber receipt (end to end).`, ``);
  s.data = { rows, machine: r.machine };
  return s;
}

// ---------------------------------------------------------------------------------------------

interface Peer {
  name: string;
  perS: number | null;
  liveP99Ms: number | null;
}

/** ingest.json, read loosely: its shape grows with the peers option (docs/benchmarks-ingest.md). */
interface IngestJson {
  raw: { pointsPerS: number; concurrency: number } | null;
  raw1: { pointsPerS: number } | null;
  steps: StepResult[];
  bounds: { p99LiveMs: number; minAcceptedShare: number };
  best: { offeredPerS: number; acceptedPerS: number } | null;
  peers?: unknown;
  nodered?: { best: { acceptedPerS: number } | null; steps?: { storageLagMs?: number | null }[] } | null;
  ratios?: { citytwinToNodeRed?: number | null; citytwinToRaw?: number | null };
  machine?: { nodeRed?: string | null };
}

/** The Mosquitto + Node-RED peer in ingest.json (null: not in this report). */
export function findPeer(r: IngestJson): Peer | null {
  if (r.nodered === undefined || r.nodered === null) return null;
  return {
    name: `Mosquitto + ${r.machine?.nodeRed ?? "Node-RED"}`,
    perS: r.nodered.best?.acceptedPerS ?? null,
    liveP99Ms: null,
  };
}

export async function ingest(ctx: Ctx): Promise<Section> {
  const s = section("ingest");
  const out = join(ctx.work, "ingest");
  const help = await exec(ctx, ["npx", "tsx", "simulators/bench/ingest/main.ts", "--help"], { timeoutS: 60 });
  // --peers in the help text; where --help is not handled, the script's own usage comment.
  let peersText = help.result.output;
  let peersFrom = "--help";
  if (!/--peers\b/.test(peersText)) {
    peersText = readFileSafe(join(ctx.repo, "simulators/bench/ingest/main.ts"));
    peersFrom = "the script's usage comment (its --help does not list options)";
  }
  const peers = /--peers\b/.test(peersText);
  const allPeers = /--peers[ =]((?!-)[a-z][\w,+-]*)/i.exec(peersText)?.[1];
  // --quick leaves the Node-RED stack out (it needs its install and warm-up); the full run takes all.
  const peerArg =
    !peers || allPeers === undefined
      ? undefined
      : ctx.quick
        ? allPeers
            .split(",")
            .filter((p) => !/node.?red/i.test(p))
            .join(",")
        : allPeers;
  ctx.log(
    peers
      ? `bench:ingest has --peers (from ${peersFrom}): ${peerArg === undefined ? "its default peers" : `--peers ${peerArg}`}`
      : "bench:ingest has no --peers option (yet): CityTwin and the raw ceiling only",
  );
  const args = ctx.quick
    ? ["--seconds", "2", "--steps", "2000,4000", "--raw-seconds", "1", "--raw-points", "20000"]
    : [];
  if (ctx.quick) args.push("--gateways", "2", "--devices", "10", "--workers", "1", "--drain-s", "10");
  if (peerArg !== undefined) args.push("--peers", peerArg);
  const { run } = await exec(ctx, ["npm", "run", "bench:ingest", "--", ...args, "--out", rel(ctx, out)], {
    timeoutS: ctx.quick ? 240 : 1200,
  });
  s.runs.push(run);
  const r = readJson<IngestJson>(join(out, "ingest.json"));
  const rawT = { section: "ingest" as const, target: "CityTwin ≥ 80 % of raw InfluxDB /write" };
  const peerT = { section: "ingest" as const, target: "CityTwin ≥ 5× Mosquitto + Node-RED (readings/s)" };
  if (!run.ok || r === undefined) {
    failed(s, run, "bench:ingest did not finish");
    s.targets.push(
      { ...rawT, measured: "not measured", met: null },
      { ...peerT, measured: "not measured", met: null },
    );
    return s;
  }
  run.json = await keepJson(ctx, r, "ingest.json");
  const best: StepResult | undefined = r.best
    ? r.steps.find((x) => x.held_ok && x.acceptedPerS === r.best!.acceptedPerS)
    : undefined;
  const peer = findPeer(r);
  ctx.ingestPeak = r.best?.acceptedPerS;
  const ratioRaw = r.best && r.raw ? r.best.acceptedPerS / r.raw.pointsPerS : null;
  const ratioPeer =
    r.ratios?.citytwinToNodeRed ?? (r.best && peer?.perS ? r.best.acceptedPerS / peer.perS : null);
  s.markdown.push(
    cmdLine(run),
    ``,
    `Sustained = the highest offered step that held: zero loss (InfluxDB count after the drain = readings PUBACKed), p99 sensor → /live ≤ ${r.bounds.p99LiveMs} ms, storage keeping pace (CityTwin: InfluxDB complete within ${r.bounds.p99LiveMs} ms + the writer's 1 s flush interval after the step; Node-RED: storage lag ≤ ${r.bounds.p99LiveMs} ms), accepted ≥ ${(r.bounds.minAcceptedShare * 100).toFixed(0)} % of offered (docs/benchmarks-ingest.md).`,
    ``,
    `| system | sustained readings/s, zero loss | sensor → WebSocket p50 / p99 ms | ratio |`,
    `|---|---:|---:|---:|`,
    `| raw InfluxDB /write ceiling${r.raw ? ` (${r.raw.concurrency} concurrent POSTs)` : ""} | ${r.raw ? num(r.raw.pointsPerS) : "not run"} | n/a | |`,
    `| raw, 1 request in flight (reference: the gateway's writer keeps up to 4) | ${r.raw1 ? num(r.raw1.pointsPerS) : "not run"} | n/a | |`,
    `| CityTwin gateway | ${r.best ? num(r.best.acceptedPerS) : "no step held"} | ${best ? `${ms(best.liveMs.p50)} / ${ms(best.liveMs.p99)}` : "–"} | ${ratioRaw === null ? "–" : `**${(ratioRaw * 100).toFixed(0)} %** of raw (target ≥ 80 %)`} |`,
    peers
      ? `| ${peer?.name ?? "Mosquitto + Node-RED"} | ${peer === null ? `not run${ctx.quick ? " (--quick leaves it out)" : ""}` : peer.perS ? num(peer.perS) : "no step held"} | n/a (no /live) | ${ratioPeer === null ? "–" : `CityTwin **${ratioPeer.toFixed(1)}×** (target ≥ 5×)`} |`
      : `| Mosquitto + Node-RED | not measured: this checkout's bench:ingest has no \`--peers\` option | | |`,
    ``,
    `Steps (CityTwin):`,
    ``,
    `| offered/s | accepted/s | in InfluxDB / PUBACKed | loss | /live p50 / p99 ms | gateway CPU % | gateway RSS MiB | held? |`,
    `|---:|---:|---:|---:|---:|---:|---:|---|`,
    ...r.steps.map(
      (x) =>
        `| ${num(x.offeredPerS)} | ${num(x.acceptedPerS)} | ${num(x.inInflux)} / ${num(x.acked)} | ${num(x.loss)} | ${ms(x.liveMs.p50)} / ${ms(x.liveMs.p99)} | ${x.gatewayCpuPct.toFixed(0)} | ${mib(x.gatewayRssMiB)} | ${x.held_ok ? "yes" : `no: ${x.why}`} |`,
    ),
    ``,
  );
  s.targets.push(
    {
      ...rawT,
      measured:
        ratioRaw === null
          ? "no step held the bounds"
          : `${(ratioRaw * 100).toFixed(0)} % (${num(r.best!.acceptedPerS)} of ${num(r.raw?.pointsPerS)} readings/s)`,
      met: ratioRaw === null ? false : ratioRaw >= 0.8,
    },
    {
      ...peerT,
      measured: !peers
        ? "not measured (no --peers in bench:ingest yet)"
        : ratioPeer === null
          ? peer === null
            ? `Node-RED peer not run${ctx.quick ? " (--quick)" : ""}`
            : "no ratio (a side held no step)"
          : `${ratioPeer.toFixed(1)}× (${num(r.best?.acceptedPerS)} vs ${num(peer?.perS)} readings/s)`,
      met: ratioPeer === null ? null : ratioPeer >= 5,
    },
    halfPeakLatency(r),
    {
      section: "ingest",
      target: "zero loss at the sustained rate",
      measured: best ? `${num(best.loss)} lost of ${num(best.acked)}` : "no step held",
      met: best ? best.loss === 0 : false,
    },
  );
  s.data = {
    rawPerS: r.raw?.pointsPerS ?? null,
    raw1PerS: r.raw1?.pointsPerS ?? null,
    citytwinPerS: r.best?.acceptedPerS ?? null,
    citytwinLiveMs: best?.liveMs ?? null,
    ratioToRaw: ratioRaw,
    peersOption: peers,
    peer,
    ratioToPeer: ratioPeer,
  };
  return s;
}

/** The latency target read on bench:ingest's own workload: its highest held step at ≤ 50 % of the peak. */
function halfPeakLatency(r: IngestJson): TargetRow {
  const target = "p99 sensor → /live ≤ 50 ms at 50 % of peak load (bench:ingest's workload)";
  const peak = r.best?.acceptedPerS;
  const step =
    peak === undefined
      ? undefined
      : r.steps
          .filter((x) => x.held_ok && x.offeredPerS <= peak / 2)
          .sort((a, b) => b.offeredPerS - a.offeredPerS)[0];
  if (peak === undefined || step === undefined)
    return { section: "ingest", target, measured: "no held step at ≤ 50 % of a peak", met: null };
  return {
    section: "ingest",
    target,
    measured: `${ms(step.liveMs.p99)} ms at ${num(step.offeredPerS)} readings/s (the held step at ≤ 50 % of the ${num(peak)} peak)`,
    met: step.liveMs.p99 <= 50,
  };
}

// ---------------------------------------------------------------------------------------------

interface EdgeReport {
  load: { devices: number; tags: number; pollMs: number; expectedReadingsPerS: number; agent: string };
  measured: {
    readingsPerS: number;
    agentRssMiBMedian: number;
    agentRssMiBMax: number;
    agentCpuPercentOfOneCore: number;
    agentCpuPercentPer1kReadingsPerS: number;
    latencyMs: { p50: number; p95: number; p99: number };
  };
  targets: { rssMiB: number; cpuPercent: number };
}

export async function edge(ctx: Ctx): Promise<Section> {
  const s = section("edge");
  const base = ctx.quick
    ? ["--devices", "10", "--tags", "5", "--ports", "2", "--warmup", "2", "--seconds", "3"]
    : [];
  const variants: [string, string[], string][] = [
    ["default (the systemd unit's flags)", [], "edge-default"],
    // The small-gateway profile of docs/edge-packaging.md (CT_EDGE_HEAP_MB=24, CT_EDGE_V8_FLAGS=--lite-mode).
    [
      "small gateway (--heap-mb 24 --v8-flags=--lite-mode)",
      ["--heap-mb", "24", "--v8-flags=--lite-mode"],
      "edge-small",
    ],
  ];
  const rows: string[] = [];
  const data: Record<string, unknown>[] = [];
  for (const [name, extra, stem] of variants) {
    const out = join(ctx.work, stem);
    const { run } = await exec(
      ctx,
      ["npm", "run", "bench:edge", "--", ...base, ...extra, "--out", rel(ctx, out)],
      {
        timeoutS: ctx.quick ? 120 : 600,
      },
    );
    s.runs.push(run);
    const r = readJson<EdgeReport>(join(out, "edge-load.json"));
    if (!run.ok || r === undefined) {
      rows.push(`| ${name} | not measured: ${run.error ?? "no JSON"} | | | | | |`);
      s.targets.push(
        { section: "edge", target: `edge agent RSS ≤ 64 MiB, ${name}`, measured: "not measured", met: null },
        {
          section: "edge",
          target: `edge agent CPU ≤ 15 % of one core, ${name}`,
          measured: "not measured",
          met: null,
        },
      );
      continue;
    }
    run.json = await keepJson(ctx, r, `${stem}.json`);
    const m = r.measured;
    data.push({ variant: name, load: r.load, measured: m });
    rows.push(
      `| ${name} | ${num(m.readingsPerS)} (expected ${num(r.load.expectedReadingsPerS)}) | ${mib(m.agentRssMiBMedian)} / **${mib(m.agentRssMiBMax)}** | **${m.agentCpuPercentOfOneCore.toFixed(1)}** | ${m.agentCpuPercentPer1kReadingsPerS.toFixed(2)} | ${ms(m.latencyMs.p50)} / ${ms(m.latencyMs.p95)} / ${ms(m.latencyMs.p99)} | ${r.load.agent} |`,
    );
    s.targets.push(
      {
        section: "edge",
        target: `edge agent RSS ≤ ${r.targets.rssMiB} MiB, ${name}`,
        measured: `${mib(m.agentRssMiBMax)} MiB max`,
        met: m.agentRssMiBMax <= r.targets.rssMiB,
      },
      {
        section: "edge",
        target: `edge agent CPU ≤ ${r.targets.cpuPercent} % of one core, ${name}`,
        measured: `${m.agentCpuPercentOfOneCore.toFixed(1)} % at ${num(m.readingsPerS)} readings/s`,
        met: m.agentCpuPercentOfOneCore <= r.targets.cpuPercent,
      },
    );
  }
  s.markdown.push(
    ...s.runs.map((run, i) => `- ${variants[i]![0]}: ${cmdLine(run)}`),
    ``,
    `| variant | readings/s | RSS median / max MiB (target ≤ 64) | CPU % of one core (target ≤ 15) | CPU % per 1,000 readings/s | publish latency p50 / p95 / p99 ms | agent |`,
    `|---|---:|---:|---:|---:|---:|---|`,
    ...rows,
    ``,
  );
  s.data = { variants: data };
  return s;
}

// ---------------------------------------------------------------------------------------------

export async function detect(ctx: Ctx): Promise<Section> {
  const s = section("detect");
  const file = join(ctx.work, "detect", "detect.json");
  mkdirSync(join(ctx.work, "detect"), { recursive: true });
  const args = ctx.quick ? ["--days", "0.05", "--targets", "1"] : ["--days", "1", "--targets", "2"];
  const { run } = await exec(
    ctx,
    ["npx", "tsx", "simulators/bench/detect/scenarios/main.ts", ...args, "--json", rel(ctx, file)],
    { timeoutS: ctx.quick ? 120 : 900 },
  );
  s.runs.push(run);
  const r = readJson<{ throughput: Throughput; summaries: unknown[] }>(file);
  const T = { section: "detect" as const };
  if (!run.ok || r === undefined) {
    failed(s, run, "the detection bench did not finish");
    s.targets.push({
      ...T,
      target: "detector hot path ≤ 1 µs per reading",
      measured: "not measured",
      met: null,
    });
    return s;
  }
  run.json = await keepJson(ctx, { throughput: r.throughput, summaries: r.summaries }, "detect.json");
  const t = r.throughput;
  s.markdown.push(
    cmdLine(run),
    ``,
    `The throughput half of \`npm run bench:detect\` (simulators/bench/detect/scenarios): the seed-42 city's readings for 300 s of simulated time (${num(t.readings)} readings), generated first, then fed to a fresh DetectionEngine on one thread, best of 3 (docs/detection.md).`,
    ``,
    `| stage | ns per reading | readings/s per core | budget |`,
    `|---|---:|---:|---:|`,
    `| cheap (impossible + threshold + liveness: the hot path) | ${t.cheapNsPerReading.toFixed(0)} | ${num(1e9 / t.cheapNsPerReading)} | ≤ 1,000 ns |`,
    `| full (every detector + composite rules) | ${t.fullNsPerReading.toFixed(0)} | ${num(t.readingsPerSecondPerCore)} | ≤ 20,000 ns |`,
    ``,
  );
  s.targets.push(
    {
      ...T,
      target: "detector hot path ≤ 1 µs per reading",
      measured: `${t.cheapNsPerReading.toFixed(0)} ns`,
      met: t.cheapNsPerReading <= 1000,
    },
    {
      ...T,
      target: "full detector stack ≤ 20 µs per reading",
      measured: `${t.fullNsPerReading.toFixed(0)} ns (${num(t.readingsPerSecondPerCore)} readings/s per core)`,
      met: t.fullNsPerReading <= 20_000,
    },
  );
  s.data = { ...t, cheapReadingsPerSecondPerCore: 1e9 / t.cheapNsPerReading };
  return s;
}

// ---------------------------------------------------------------------------------------------

export interface ScalingPoint {
  label: string;
  sensors: number;
  ratePerS: number;
  offeredPerS: number;
  ackedPerS: number;
  storedPerS: number | null;
  missing: number | null;
  /** Of the missing, what the gateway itself gave up (the rest is still in its journal). */
  dropped: number | null;
  zeroLoss: boolean | null;
  ackedShare: number;
  pubackMs: { p50: number; p99: number };
  liveMs: { p50: number; p99: number; samples: number };
  gatewayRssMiBMax: number | null;
  gatewayCpuMeanPct: number | null;
  generatorCpuMeanPct: number;
  generatorCpuMaxPct: number;
  warnings: string[];
}

const kSensors = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1000 ? `${n / 1000}k` : String(n));

async function loadRun(
  ctx: Ctx,
  s: Section,
  label: string,
  sensors: number,
  rate: { interval: number } | { perS: number },
  seconds: number,
): Promise<ScalingPoint | undefined> {
  const out = join(ctx.work, `scaling-${label}`);
  const workers = sensors >= 500_000 ? 2 : 1;
  const argv = ["npm", "run", "load", "--", "--spawn", "--sensors", String(sensors)];
  argv.push(
    ...("interval" in rate ? ["--interval-s", String(rate.interval)] : ["--rate", String(rate.perS)]),
  );
  argv.push("--seconds", String(seconds), ...(workers > 1 ? ["--workers", String(workers)] : []));
  // A big city's backlog takes a while to reach InfluxDB after the load stops (journalled).
  if (sensors >= 500_000) argv.push("--drain-s", "60");
  argv.push("--out", rel(ctx, out));
  const { run, result } = await exec(ctx, argv, {
    timeoutS: Math.round(seconds + (ctx.quick ? 120 : 240) + sensors / 2000),
    watchGateway: true,
  });
  s.runs.push(run);
  const r = readJson<LoadReport>(join(out, "report.json"));
  if (!run.ok || r === undefined) return undefined;
  run.json = await keepJson(ctx, r, `scaling-${label}.json`);
  const t = r.totals;
  const inRun = r.series.filter((x) => x.t < t.seconds && x.gatewayCpu !== undefined);
  return {
    label,
    sensors: r.city.sensors,
    ratePerS: t.offeredPerS,
    offeredPerS: t.offeredPerS,
    ackedPerS: t.ackedPerS,
    storedPerS: t.stored === null ? null : t.stored / t.seconds,
    missing: t.missing,
    dropped: t.gatewayDropped ?? null,
    zeroLoss: r.verdicts.find((v) => v.name.startsWith("zero loss"))?.ok ?? null,
    ackedShare: t.offered > 0 ? t.acked / t.offered : 0,
    pubackMs: { p50: t.puback.p50, p99: t.puback.p99 },
    liveMs: { p50: t.live.p50, p99: t.live.p99, samples: t.live.samples },
    gatewayRssMiBMax: result.gateway && result.gateway.samples > 0 ? result.gateway.rssMiBMax : null,
    gatewayCpuMeanPct: inRun.length ? inRun.reduce((a, x) => a + x.gatewayCpu!, 0) / inRun.length : null,
    generatorCpuMeanPct: Math.max(0, ...t.workers.map((w) => w.cpuMeanPct)),
    generatorCpuMaxPct: Math.max(0, ...t.workers.map((w) => w.cpuMaxPct)),
    warnings: r.warnings,
  };
}

/** "yes"; "late" when every reading not stored yet is still in the gateway's journal; else "no". */
function lossVerdict(p: ScalingPoint): string {
  if (p.zeroLoss === null) return "n/a";
  if (p.zeroLoss) return "yes";
  return p.dropped === 0 ? "late: none dropped, the rest still in the journal" : "**no**";
}

export async function scaling(ctx: Ctx): Promise<Section> {
  const s = section("scaling");
  const sensorsList = ctx.scalingSensors ?? (ctx.quick ? [1000, 2000] : [1000, 10_000, 100_000, 1_000_000]);
  const seconds = ctx.scalingSeconds ?? (ctx.quick ? 3 : 60);
  const points: ScalingPoint[] = [];
  const failures: string[] = [];
  for (const n of sensorsList) {
    ctx.log(`scaling: ${kSensors(n)} sensors at 1 reading / 10 s for ${seconds} s`);
    const p = await loadRun(ctx, s, kSensors(n), n, { interval: 10 }, seconds);
    if (p) points.push(p);
    else failures.push(`${kSensors(n)}: ${s.runs[s.runs.length - 1]!.error ?? "no report.json"}`);
  }
  // Latency point: 50 % of the ingest peak (this run's bench:ingest), else of the curve's best.
  const curveBest = Math.max(0, ...points.map((p) => p.storedPerS ?? p.ackedPerS));
  const peak = ctx.ingestPeak ?? (curveBest > 0 ? curveBest : undefined);
  const peakSource =
    ctx.ingestPeak !== undefined
      ? "the sustained ingest peak measured by bench:ingest above"
      : "the highest stored rate on the curve above (bench:ingest did not run or found no peak; at 1 reading / 10 s this is a floor, not the peak)";
  const latSensors = ctx.quick ? Math.min(...sensorsList) : 100_000;
  let latency: ScalingPoint | undefined;
  let latencyRate: number | undefined;
  if (peak !== undefined) {
    latencyRate = Math.max(1, Math.round(peak / 2));
    ctx.log(
      `scaling: latency point, ${kSensors(latSensors)} sensors at ${num(latencyRate)} readings/s (50 % of peak)`,
    );
    latency = await loadRun(ctx, s, "latency", latSensors, { perS: latencyRate }, seconds);
    if (!latency) failures.push(`latency point: ${s.runs[s.runs.length - 1]!.error ?? "no report.json"}`);
  }

  // Plots (log x), through the load report's SVG renderer.
  const xs = (f: (p: ScalingPoint) => number | null): [number, number][] =>
    points.filter((p) => f(p) !== null).map((p) => [p.sensors, f(p)!]);
  const plots: [string, string][] = [
    [
      "scaling-throughput.svg",
      renderChart({
        title: "Throughput vs city size (1 reading / 10 s per sensor)",
        xLabel: "simulated sensors (log scale)",
        yLabel: "readings per second",
        xLog: true,
        width: 800,
        height: 320,
        series: [
          { name: "offered", color: "#2563eb", points: xs((p) => p.offeredPerS) },
          { name: "acknowledged", color: "#16a34a", points: xs((p) => p.ackedPerS) },
          { name: "stored", color: "#9333ea", dashed: true, points: xs((p) => p.storedPerS) },
        ],
      }),
    ],
    [
      "scaling-p99.svg",
      renderChart({
        title: "p99 latency vs city size",
        xLabel: "simulated sensors (log scale)",
        yLabel: "p99 latency (ms)",
        xLog: true,
        width: 800,
        height: 320,
        series: [
          { name: "PUBACK p99", color: "#ea580c", points: xs((p) => p.pubackMs.p99) },
          {
            name: "sensor → /live p99",
            color: "#dc2626",
            points: xs((p) => (p.liveMs.samples ? p.liveMs.p99 : null)),
          },
        ],
        refs: [{ y: 50, label: "50 ms target (at 50 % of peak load)", color: "#6b7280" }],
      }),
    ],
  ];
  for (const [name, svg] of plots) {
    const file = join(ctx.assets, name);
    mkdirSync(ctx.assets, { recursive: true });
    writeFileSync(file, `${svg}\n`);
    s.plots.push(rel(ctx, file));
  }

  const row = (p: ScalingPoint) =>
    `| ${kSensors(p.sensors)} | ${num(p.offeredPerS)} | ${num(p.ackedPerS)} | ${num(p.storedPerS)} | ${num(p.missing)} / ${num(p.dropped)} | ${lossVerdict(p)} | ${ms(p.pubackMs.p50)} / ${ms(p.pubackMs.p99)} | ${p.liveMs.samples ? `${ms(p.liveMs.p50)} / ${ms(p.liveMs.p99)}` : "–"} | ${mib(p.gatewayRssMiBMax)} | ${p.gatewayCpuMeanPct === null ? "–" : p.gatewayCpuMeanPct.toFixed(0)} | ${p.generatorCpuMeanPct.toFixed(0)} / ${p.generatorCpuMaxPct.toFixed(0)} |`;
  const header = [
    `| sensors | offered/s | acknowledged/s | stored/s | not stored after the drain / dropped by the gateway | zero loss | PUBACK p50 / p99 ms | sensor → /live p50 / p99 ms | gateway RSS max MiB | gateway CPU mean % | generator CPU mean / max % |`,
    `|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|`,
  ];
  const curveRuns = s.runs.slice(0, sensorsList.length);
  s.markdown.push(
    `Each point: \`npm run load -- --spawn\` (a fresh gateway in demo mode + influxd on this machine, docs/load-testing.md) with every sensor sending 1 reading every 10 s for ${seconds} s. Gateway RSS: the suite samples /proc/<gateway pid>/status every 0.5 s during the run. Generator CPU: % of one core, busiest worker. Sensor → /live: each reading's ts is its batch's send time, so this is the gateway's part (ingest, the /live coalescing of at most one frame per 25 ms, WebSocket), not the edge batching delay.`,
    ``,
    ...curveRuns.map((run, i) => `- ${kSensors(sensorsList[i]!)}: ${cmdLine(run)}`),
    ``,
    ...header,
    ...points.map(row),
    ``,
    ...s.plots.map((p) => `![${p}](${p.replace(/^.*?benchmarks\//, "benchmarks/")})`),
    ``,
  );
  const latRun = s.runs[sensorsList.length];
  s.markdown.push(
    `**Latency at 50 % of peak load.** Peak: ${peak === undefined ? "unknown (nothing measured)" : `${num(peak)} readings/s, ${peakSource}`}. That peak is bench:ingest's 4,000-sensor city; a 100k-sensor city costs more per reading (more state per sensor to touch, bigger frames; see the profile below), so half of it loads this city much harder than half its own peak.`,
    ``,
  );
  if (latRun) s.markdown.push(cmdLine(latRun), ``);
  if (latency) s.markdown.push(...header, row(latency), ``);
  if (failures.length) s.markdown.push(`**Runs that did not finish**: ${failures.join("; ")}.`, ``);
  const warns = [...points, ...(latency ? [latency] : [])].flatMap((p) =>
    p.warnings.map((w) => `${kSensors(p.sensors)}: ${w}`),
  );
  if (warns.length) s.markdown.push(...warns.map((w) => `> WARNING (load generator): ${w}`), ``);

  const p100k = points.find((p) => p.sensors === 100_000);
  const cores = cpus().length;
  const targets: TargetRow[] = [
    {
      section: "scaling",
      target: "100k sensors at 1 reading / 10 s on one 2-core machine, zero loss, memory reported",
      measured: p100k
        ? `${num(p100k.storedPerS)}/s stored of ${num(p100k.offeredPerS)}/s offered, ${num(p100k.missing)} missing, gateway RSS ${mib(p100k.gatewayRssMiBMax)} MiB (${cores} cores here)`
        : "not run",
      met: p100k ? p100k.zeroLoss === true && p100k.ackedShare >= 0.99 && cores <= 2 : null,
    },
    {
      section: "scaling",
      target: "p99 sensor → browser (/live) ≤ 50 ms at 50 % of peak load, on a 100k-sensor city",
      measured:
        latency && latency.liveMs.samples > 0
          ? `${ms(latency.liveMs.p99)} ms at ${num(latency.offeredPerS)} readings/s (${kSensors(latency.sensors)} sensors)`
          : "not measured",
      met: latency && latency.liveMs.samples > 0 ? latency.liveMs.p99 <= 50 : null,
    },
  ];
  s.targets.push(...targets);
  s.data = {
    seconds,
    points,
    latency: latency ?? null,
    latencyRatePerS: latencyRate ?? null,
    peakPerS: peak ?? null,
    peakSource,
  };
  return s;
}
