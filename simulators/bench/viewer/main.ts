/**
 * Viewer frame-time benchmark (issue 5): the twin viewer in Debian's Chromium with N simulated
 * sensors (default 100,000, the load generator's tiled city), every sensor updated once per
 * second over `/live` (the gateway's wire contract, frames sent 10 per second by a stand-in
 * server so the gateway's own ingest limit is not what is measured). For each camera view it
 * turns the camera every frame and reports the median / p95 / p99 frame time, the scene's render
 * time, long tasks, the JS heap and the browser's memory (PSS of all its processes).
 *
 *   npm run bench:viewer -- [--sensors 100000] [--hz 1] [--warmup 10] [--seconds 20]
 *                           [--gl swiftshader|gpu] [--quality auto|full|reduced]
 *                           [--views district,street] [--out bench-results/viewer]
 *
 * `--gl swiftshader` (default) renders WebGL on the CPU (SwiftShader), as on a machine without a
 * GPU; `--gl gpu` uses the host's GPU through ANGLE/EGL headless (a GPU machine). `--quality`
 * is the viewer's `?quality=`: auto renders at half resolution on software WebGL, full always at
 * full resolution. The feed runs in this process on the same machine; its CPU is reported.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { cityModelSchema, levelFor, sensorKind, type LatestReading } from "@citytwin/model";
import { buildLoadCity } from "../../src/load/city";
import { machineInfo } from "../../src/load/machine";
import { buildViewer } from "../../src/demo/viewer-build";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../../test/support/browser";
import { startStaticApiServer } from "../../../test/support/static-api-server";
import { processTreePssMiB } from "./browser-memory";
import { LiveFeed } from "./feed";
import { MEASURE_FRAMES, percentile, type FrameSample } from "./page-probe";

const REPO = resolve(import.meta.dirname, "../../..");
const { values: a } = parseArgs({
  options: {
    sensors: { type: "string", default: "100000" },
    hz: { type: "string", default: "1" },
    warmup: { type: "string", default: "10" },
    seconds: { type: "string", default: "20" },
    gl: { type: "string", default: "swiftshader" },
    quality: { type: "string", default: "auto" },
    views: { type: "string", default: "district,street" },
    out: { type: "string", default: "bench-results/viewer" },
    "no-build": { type: "boolean", default: false },
  },
});
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
const TOKEN = "bench.viewer-benchmark";
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export interface ViewResult {
  view: string;
  frames: number;
  frameMs: { median: number; p95: number; p99: number; max: number };
  fps: number;
  renderMs: { median: number; p95: number };
  longTasks: number;
  longTaskMs: number;
  jsHeapMiB: number | undefined;
  browserPssMiB: number;
  browserProcesses: number;
}

export interface ViewerBenchReport {
  sensors: number;
  updatesPerSecond: number;
  gl: string;
  /** The viewer's render quality as it chose it (`reduced`: half resolution on software WebGL). */
  quality: string;
  /** CPU of the feed (this process) while measuring, % of one core. */
  feedCpuPercent: number;
  readingsSent: number;
  bytesSent: number;
  loadSeconds: number;
  views: ViewResult[];
  machine: ReturnType<typeof machineInfo> & { chromium: string };
  command: string;
}

async function main(): Promise<void> {
  const sensors = Number(a.sensors);
  const hz = Number(a.hz);
  if (!a["no-build"]) {
    log("building the viewer");
    buildViewer(REPO);
  }
  log(`generating a city with ${sensors.toLocaleString()} sensors`);
  const city = cityModelSchema.parse(buildLoadCity({ seed: 42, sensors, agents: 1 }).city);
  const now = Date.now();
  const latest: LatestReading[] = city.sensors.map((s) => {
    const kind = sensorKind(s.kind);
    const value = kind?.min ?? 0;
    return { sensorId: s.id, ts: now, value, quality: "good", level: levelFor(kind?.thresholds, value) };
  });
  const server = await startStaticApiServer({
    staticDir: join(REPO, "twin-viewer", "dist"),
    city,
    latest,
    token: TOKEN,
  });
  const glArgs = a.gl === "gpu" ? ["--use-angle=default", "--enable-gpu", "--ignore-gpu-blocklist"] : [];
  const args = [...CHROMIUM_ARGS.filter((x) => a.gl !== "gpu" || !x.includes("swiftshader")), ...glArgs];
  const browserServer = await chromium.launchServer({
    executablePath: CHROMIUM_PATH,
    args: [...args, "--enable-precise-memory-info"],
  });
  const browser = await chromium.connect(browserServer.wsEndpoint());
  const feed = new LiveFeed(city, (m) => server.broadcast(m), {
    periodMs: 1000 / hz,
    slices: 10,
    alarmShare: 0.01,
  });
  const results: ViewResult[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const t0 = Date.now();
    log("loading the viewer");
    const url = new URL(`#token=${TOKEN}`, server.url);
    if (a.quality !== "auto") url.searchParams.set("quality", a.quality ?? "auto");
    await page.goto(url.href);
    await page.waitForFunction(
      () => window.__citytwin?.ready === true || window.__citytwin?.error !== undefined,
      null,
      { timeout: 600_000, polling: 1000 },
    );
    const loadSeconds = (Date.now() - t0) / 1000;
    const failed = await page.evaluate(() => window.__citytwin?.error);
    if (failed !== undefined) throw new Error(`viewer failed to start: ${failed}`);
    log(`viewer ready in ${loadSeconds.toFixed(1)} s; feeding ${(sensors * hz).toLocaleString()} updates/s`);
    const quality = await page.evaluate(() => document.documentElement.dataset.renderQuality ?? "?");
    feed.start();
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const target = city.sensors[Math.floor(city.sensors.length / 2)]!.id;
    for (const view of (a.views ?? "").split(",").filter((v) => v !== "")) {
      if (view === "street") await page.evaluate((id) => window.__citytwin?.viewSensor(id, 400), target);
      log(`view ${view}: warm-up ${a.warmup} s`);
      await page.waitForTimeout(Number(a.warmup) * 1000);
      log(`view ${view}: measuring ${a.seconds} s`);
      const sample = (await page.evaluate(`(${MEASURE_FRAMES})(${Number(a.seconds)})`)) as FrameSample;
      const mem = processTreePssMiB(browserServer.process().pid!);
      results.push(summarise(view, sample, mem));
      const r = results.at(-1)!;
      log(
        `view ${view}: frame median ${r.frameMs.median} ms, p95 ${r.frameMs.p95} ms (${r.fps} fps), ` +
          `render median ${r.renderMs.median} ms, browser ${r.browserPssMiB} MiB`,
      );
    }
    const cpu = process.cpuUsage(cpu0);
    const feedCpuPercent = round(((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)) * 100);
    if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
    const report: ViewerBenchReport = {
      sensors: city.sensors.length,
      updatesPerSecond: sensors * hz,
      gl: a.gl ?? "swiftshader",
      quality,
      feedCpuPercent,
      readingsSent: feed.stats.readings,
      bytesSent: feed.stats.bytes,
      loadSeconds: round(loadSeconds),
      views: results,
      machine: { ...machineInfo(), chromium: browser.version() },
      command: `npm run bench:viewer -- ${process.argv.slice(2).join(" ")}`.trim(),
    };
    const out = resolve(REPO, a.out ?? "bench-results/viewer");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "viewer.json"), JSON.stringify(report, null, 2));
    console.log(`\n${renderMarkdown(report)}\nraw JSON: ${join(out, "viewer.json")}`);
  } finally {
    feed.stop();
    await browser.close().catch(() => undefined);
    await browserServer.close();
    await server.close();
  }
}

function summarise(view: string, s: FrameSample, mem: { mib: number; processes: number }): ViewResult {
  const f = [...s.intervals].sort((x, y) => x - y);
  const r = [...s.renders].sort((x, y) => x - y);
  const seconds = s.intervals.reduce((t, x) => t + x, 0) / 1000;
  return {
    view,
    frames: s.intervals.length,
    frameMs: {
      median: round(percentile(f, 50)),
      p95: round(percentile(f, 95)),
      p99: round(percentile(f, 99)),
      max: round(f.at(-1) ?? NaN),
    },
    fps: round(s.intervals.length / seconds),
    renderMs: { median: round(percentile(r, 50)), p95: round(percentile(r, 95)) },
    longTasks: s.longTasks,
    longTaskMs: Math.round(s.longTaskMs),
    jsHeapMiB: s.jsHeapBytes === undefined ? undefined : round(s.jsHeapBytes / 2 ** 20),
    browserPssMiB: mem.mib,
    browserProcesses: mem.processes,
  };
}

export function renderMarkdown(r: ViewerBenchReport): string {
  const m = r.machine;
  return [
    `${r.sensors.toLocaleString("en")} sensors, ${r.updatesPerSecond.toLocaleString("en")} updates/s over /live, WebGL: ${r.gl}, render quality ${r.quality}; viewer ready in ${r.loadSeconds} s; the feed took ${r.feedCpuPercent} % of a core on the same machine`,
    ``,
    `| view | frame median (ms) | p95 | p99 | fps | scene render median / p95 (ms) | long tasks | JS heap (MiB) | browser PSS (MiB) |`,
    `|---|--:|--:|--:|--:|--:|--:|--:|--:|`,
    ...r.views.map(
      (v) =>
        `| ${v.view} | ${v.frameMs.median} | ${v.frameMs.p95} | ${v.frameMs.p99} | ${v.fps} | ${v.renderMs.median} / ${v.renderMs.p95} | ${v.longTasks} (${v.longTaskMs} ms) | ${v.jsHeapMiB ?? "?"} | ${v.browserPssMiB} |`,
    ),
    ``,
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, Node ${m.node}, Chromium ${m.chromium}. Command: \`${r.command}\``,
  ].join("\n");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
