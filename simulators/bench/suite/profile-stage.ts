/**
 * The profile stage (issue 7, "where the CPU goes"): one `npm run load -- --spawn --cpu-prof`
 * run of a 100k-sensor city at the ingest peak this suite measured (bench:ingest), the
 * gateway's V8 profiler on for the load window only. Writes the flame graph
 * (docs/benchmarks/gateway-flame.svg) and the hottest functions; docs/profiling.md says what
 * was changed because of them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LoadReport } from "../../src/load/report/types";
import {
  flameGraphSvg,
  idleUnder,
  topFunctions,
  topFunctionsMarkdown,
  type CpuProfile,
} from "../profile/flame";
import { exec, keepJson, ms, num, readJson, rel, type Ctx } from "./context";
import { cmdLine, failed, section } from "./stages";
import type { Section } from "./types";

/** Used when bench:ingest did not run or found no peak. */
const FALLBACK_RATE = 100_000;

export async function profile(ctx: Ctx): Promise<Section> {
  const s = section("profile");
  const out = join(ctx.work, "profile");
  const sensors = ctx.quick ? 2000 : 100_000;
  const rate = ctx.quick ? 2000 : Math.round(ctx.ingestPeak ?? FALLBACK_RATE);
  const seconds = ctx.quick ? 3 : 30;
  const argv = ["npm", "run", "load", "--", "--spawn", "--sensors", String(sensors), "--rate", String(rate)];
  argv.push("--seconds", String(seconds), "--cpu-prof", rel(ctx, out), "--out", rel(ctx, out));
  const { run } = await exec(ctx, argv, { timeoutS: seconds + 300 });
  const report = readJson<LoadReport>(join(out, "report.json"));
  if (report !== undefined) run.json = await keepJson(ctx, report, "profile-load.json");
  s.runs.push(run);
  const file = join(out, "gateway.cpuprofile");
  if (!run.ok || !existsSync(file) || report === undefined) {
    failed(s, run, "the profiled load run did not finish");
    return s;
  }
  // Samples taken while Profiler.stop serialised the profile (under the gateway host's
  // `profile` handler) measure the profiler, not the gateway: they count as idle.
  const prof = idleUnder(
    JSON.parse(readFileSync(file, "utf8")) as CpuProfile,
    (f) => f.functionName === "profile" && f.url.endsWith("gateway-host.ts"),
  );
  const t = report.totals;
  const svg = flameGraphSvg(prof, {
    title: `CityTwin gateway, ${num(sensors)} sensors at ${num(t.ackedPerS)} readings/s (${seconds} s load window)`,
  });
  mkdirSync(ctx.assets, { recursive: true });
  const svgFile = join(ctx.assets, "gateway-flame.svg");
  writeFileSync(svgFile, `${svg}\n`);
  s.plots.push(rel(ctx, svgFile));
  const top = topFunctions(prof, 15);
  s.markdown.push(
    cmdLine(run),
    ``,
    `The gateway's V8 profiler ran over the ${seconds} s load window only (not start-up), through the inspector protocol of the load generator's gateway host; it samples the event loop's thread, so the decode thread's parsing and validation (\`ingest.decodeThreads\`) are not in it. Offered ${num(t.offeredPerS)} readings/s (${rate === FALLBACK_RATE && ctx.ingestPeak === undefined ? "a fixed rate: bench:ingest found no peak" : "the ingest peak measured above"}), acknowledged ${num(t.ackedPerS)}/s, PUBACK p50 / p99 ${ms(t.puback.p50)} / ${ms(t.puback.p99)} ms, sensor → /live p50 / p99 ${ms(t.live.p50)} / ${ms(t.live.p99)} ms. What was changed because of profiles like this one: docs/profiling.md.`,
    ``,
    `![${rel(ctx, svgFile)}](benchmarks/gateway-flame.svg)`,
    ``,
    `Hottest functions by self time (% of the non-idle samples):`,
    ``,
    topFunctionsMarkdown(top),
    ``,
  );
  s.data = { sensors, offeredPerS: t.offeredPerS, ackedPerS: t.ackedPerS, top };
  return s;
}
