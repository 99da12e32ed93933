/**
 * The viewer stage: `npm run bench:viewer` (100k sensors at 1 Hz in Debian Chromium, WebGL on
 * SwiftShader) — frame time per camera view and the browser's memory. Target (issue 5): 100k
 * sensors updating once per second stay interactive, read here as a median frame time ≤ 100 ms
 * (≥ 10 fps while the camera moves) in the district view.
 */
import { join } from "node:path";
import type { ViewerBenchReport } from "../viewer/main";
import { exec, keepJson, readJson, rel, type Ctx } from "./context";
import { cmdLine, failed, section } from "./stages";
import type { Section } from "./types";

const INTERACTIVE_MS = 100;

export async function viewer(ctx: Ctx): Promise<Section> {
  const s = section("viewer");
  const out = join(ctx.work, "viewer");
  const args = ctx.quick ? ["--sensors", "5000", "--warmup", "2", "--seconds", "3"] : [];
  const { run } = await exec(ctx, ["npm", "run", "bench:viewer", "--", ...args, "--out", rel(ctx, out)], {
    timeoutS: ctx.quick ? 300 : 1200,
  });
  s.runs.push(run);
  const r = readJson<ViewerBenchReport>(join(out, "viewer.json"));
  const target = `${ctx.quick ? "viewer" : "100k sensors at 1 Hz"}: median frame ≤ ${INTERACTIVE_MS} ms (interactive)`;
  if (!run.ok || r === undefined) {
    failed(s, run, "bench:viewer did not finish");
    s.targets.push({ section: "viewer", target, measured: "not measured", met: null });
    return s;
  }
  run.json = await keepJson(ctx, r, "viewer.json");
  s.markdown.push(
    cmdLine(run),
    ``,
    `${r.sensors.toLocaleString("en")} sensors, ${r.updatesPerSecond.toLocaleString("en")} updates/s over /live (stand-in server, the gateway's frame format), WebGL: ${r.gl}, 1280×800, render quality ${r.quality} (half resolution on software WebGL); the camera turns every frame so every frame re-renders; the feed took ${r.feedCpuPercent} % of a core on the same machine.`,
    ``,
    `| view | frame median (ms) | p95 | p99 | fps | scene render median / p95 (ms) | long tasks | JS heap (MiB) | browser PSS (MiB) |`,
    `|---|--:|--:|--:|--:|--:|--:|--:|--:|`,
    ...r.views.map(
      (v) =>
        `| ${v.view} | **${v.frameMs.median}** | ${v.frameMs.p95} | ${v.frameMs.p99} | ${v.fps} | ${v.renderMs.median} / ${v.renderMs.p95} | ${v.longTasks} (${v.longTaskMs} ms) | ${v.jsHeapMiB ?? "?"} | ${v.browserPssMiB} |`,
    ),
    ``,
  );
  s.data = { viewer: r };
  const district = r.views.find((v) => v.view === "district") ?? r.views[0];
  s.targets.push({
    section: "viewer",
    target,
    measured:
      district === undefined
        ? "no view measured"
        : `${district.frameMs.median} ms median, ${district.fps} fps`,
    met: district === undefined ? null : district.frameMs.median <= INTERACTIVE_MS,
  });
  return s;
}
