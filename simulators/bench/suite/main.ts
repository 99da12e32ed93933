/**
 * The benchmark suite (issue 7): `npm run bench [-- --quick] [--only broker,ingest,edge,detect,scaling] [--out dir]`.
 * Runs each bench as a child process (broker, ingest, edge, detect, the load generator's
 * scaling curve), reads their JSON, and writes docs/benchmarks.md with a summary of targets,
 * plus docs/benchmarks/*.json (the raw JSON) and *.svg (plots). --quick writes to
 * bench-results/suite-quick/ instead and never to docs/.
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { killAll } from "./child";
import { keepJson, rel, writeFormatted, type Ctx } from "./context";
import { loadAvg, suiteMachine } from "./machine";
import { renderSuite } from "./render";
import { RUNNERS } from "./runners";
import { estimateS, TITLES } from "./stages";
import { STAGES, type Section, type StageId, type SuiteReport } from "./types";

const USAGE = `Usage: npm run bench -- [options]                      (docs/benchmarks.md)
  --quick                tiny numbers (< 3 min) to check the harness; writes bench-results/suite-quick/
  --only a,b             stages to run: ${STAGES.join(", ")} (default all)
  --out dir              where benchmarks.md and benchmarks/ go (default docs/, --quick: bench-results/suite-quick/)
  --scaling-sensors a,b  scaling curve points (default 1000,10000,100000,1000000; --quick 1000,2000)
  --scaling-seconds S    seconds per scaling point (default 60; --quick 3)
`;

const REPO = resolve(import.meta.dirname, "../../..");
const argv = process.argv.slice(2);
const { values: a } = parseArgs({
  args: argv,
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string" },
    "scaling-sensors": { type: "string" },
    "scaling-seconds": { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (a.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const stages = (a.only?.split(",").map((x) => x.trim()) ?? [...STAGES]) as StageId[];
const bad = stages.filter((x) => !(STAGES as readonly string[]).includes(x));
if (bad.length) {
  console.error(`bench: unknown stage(s) ${bad.join(", ")}\n${USAGE}`);
  process.exit(2);
}
const ordered = STAGES.filter((x) => stages.includes(x));
const quick = a.quick;
const outDir = resolve(REPO, a.out ?? (quick ? "bench-results/suite-quick" : "docs"));
if (quick && outDir.startsWith(join(REPO, "docs"))) {
  console.error("bench: --quick never writes to docs/ (its figures are not measurements)");
  process.exit(2);
}
const assets = join(outDir, "benchmarks");
const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
const work = quick ? join(outDir, "runs") : join(REPO, "bench-results", `suite-runs-${stamp}`);
const scalingSensors = a["scaling-sensors"]?.split(",").map(Number);
if (scalingSensors?.some((n) => !(Number.isInteger(n) && n >= 1000 && n <= 1_000_000))) {
  console.error("bench: --scaling-sensors takes integers 1000 … 1000000");
  process.exit(2);
}
const scalingSeconds = a["scaling-seconds"] === undefined ? undefined : Number(a["scaling-seconds"]);

const t0 = performance.now();
const clock = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
const elapsed = () => (performance.now() - t0) / 1000;
const log = (line: string) => console.log(`[bench ${clock(elapsed())}] ${line}`);
const estimates = ordered.map((id) => estimateS(id, quick, scalingSensors));
let current = 0;
let stageStart = 0;
const eta = () =>
  Math.max(0, estimates[current]! - (elapsed() - stageStart)) +
  estimates.slice(current + 1).reduce((s, x) => s + x, 0);

process.on("SIGINT", () => {
  log("interrupted: stopping the running bench");
  killAll();
  setTimeout(() => process.exit(130), 2000);
});

// Clean the previous run's files (only a full run: --only keeps the other stages' files).
if (a.only === undefined)
  try {
    for (const f of readdirSync(assets)) if (/\.(json|svg)$/.test(f)) rmSync(join(assets, f));
  } catch {
    // nothing there yet
  }
mkdirSync(work, { recursive: true });
mkdirSync(assets, { recursive: true });

const command = `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`;
const startedAt = new Date().toISOString();
const machine = suiteMachine(REPO);
log(
  `${command}: stages ${ordered.join(", ")}; ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, load ${machine.loadBefore.join(" ")}; estimated ${clock(eta())}`,
);
log(
  `raw outputs under ${rel({ repo: REPO } as Ctx, work)}, report to ${rel({ repo: REPO } as Ctx, outDir)}/benchmarks.md`,
);

const ctx: Ctx = {
  repo: REPO,
  quick,
  work,
  assets,
  log,
  echo: (line) => console.log(`    │ ${line}`),
  ...(scalingSensors ? { scalingSensors } : {}),
  ...(scalingSeconds ? { scalingSeconds } : {}),
};
const heartbeat = setInterval(
  () =>
    log(
      `… ${TITLES[ordered[current]!]} running ${clock(elapsed() - stageStart)} (stage ${current + 1}/${ordered.length}), ETA ~${clock(eta())}`,
    ),
  60_000,
);
const sections: Section[] = [];
try {
  for (let i = 0; i < ordered.length; i++) {
    current = i;
    stageStart = elapsed();
    const id = ordered[i]!;
    log(`── stage ${i + 1}/${ordered.length}: ${TITLES[id]} (ETA for the suite ~${clock(eta())}) ──`);
    let s: Section;
    try {
      s = await RUNNERS[id](ctx);
    } catch (err) {
      log(`stage ${id} failed: ${String(err)}`);
      s = {
        id,
        title: TITLES[id],
        runs: [],
        markdown: [`**Not measured**: the stage failed (${String(err).slice(0, 300)}).`, ``],
        targets: [],
        data: {},
        plots: [],
      };
    }
    sections.push(s);
    log(
      `stage ${id} done in ${clock(elapsed() - stageStart)}: ${s.targets.map((t) => `${t.target}: ${t.measured} (${t.met === null ? "n/a" : t.met ? "met" : "NOT met"})`).join("; ") || "no targets"}`,
    );
  }
} finally {
  clearInterval(heartbeat);
}
machine.loadAfter = loadAvg();
const report: SuiteReport = {
  command,
  quick,
  assets: rel(ctx, assets),
  stages: ordered,
  startedAt,
  finishedAt: new Date().toISOString(),
  durationS: Math.round(elapsed()),
  machine,
  targets: sections.flatMap((s) => s.targets),
  sections: sections.map(({ markdown: _markdown, ...s }) => s),
};
const suiteJson = await keepJson(ctx, report, "suite.json");
const md = renderSuite(report, sections);
const mdFile = join(outDir, "benchmarks.md");
await writeFormatted(mdFile, md, "markdown");

const w = Math.max(...report.targets.map((t) => t.target.length), 6);
console.log(`\n${"target".padEnd(w)}  verdict       measured`);
for (const t of report.targets)
  console.log(
    `${t.target.padEnd(w)}  ${(t.met === null ? "not measured" : t.met ? "met" : "NOT MET").padEnd(12)}  ${t.measured}`,
  );
console.log(
  `\nwrote ${rel(ctx, mdFile)}, ${suiteJson} and ${readdirSync(assets).length - 1} more file(s) in ${rel(ctx, assets)}/ in ${clock(elapsed())}`,
);
const failedRuns = sections.flatMap((s) => s.runs).filter((r) => !r.ok && !/--help$/.test(r.command));
if (failedRuns.length) {
  console.log(
    `${failedRuns.length} bench command(s) failed:\n${failedRuns.map((r) => `  ${r.command}: ${r.error}`).join("\n")}`,
  );
  process.exitCode = 1;
}
