/**
 * simulators/bench/profile/flame.ts: exact times on a hand-built profile (recursion, idle, GC,
 * duplicate sibling stacks, a frame below minFrac), then a real `node --cpu-prof` profile and
 * the CLI. Nothing here judges timings beyond "the busy function dominates".
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CallFrame,
  type CpuProfile,
  flameGraphSvg,
  idleUnder,
  shortFile,
  topFunctions,
  topFunctionsMarkdown,
} from "../bench/profile/flame";

const REPO = resolve(import.meta.dirname, "../..");
const tmp = mkdtempSync(join(tmpdir(), "citytwin-flame-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const native = (functionName: string): CallFrame => ({
  functionName,
  url: "",
  lineNumber: -1,
  columnNumber: -1,
});
const js = (functionName: string, url: string, lineNumber: number): CallFrame => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 2,
});
const A = js("a<b>&c", "file:///x/gateway/src/g.ts", 19);
const REC = js("rec", "file:///x/model/src/r.ts", 4);

/**
 * (root) ─┬ (program) 1 ms · (idle) 5 ms · (garbage collector) 1 ms
 *         └ main 1 ms ─┬ a<b>&c 0.5 ms ─┬ rec 2 ms ─ rec 1 ms ─ leaf 2.99 ms
 *                      │                 └ tiny 0.01 ms
 *                      └ a<b>&c 0.5 ms   (same stack as above: merged)
 * Non-idle total 10 ms.
 */
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: native("(root)"), children: [2, 3, 4, 5] },
    { id: 2, callFrame: native("(program)") },
    { id: 3, callFrame: native("(idle)") },
    { id: 4, callFrame: native("(garbage collector)") },
    { id: 5, callFrame: js("main", "file:///x/simulators/src/app.ts", 9), children: [6, 11] },
    { id: 6, callFrame: A, children: [7, 9] },
    { id: 7, callFrame: REC, children: [8] },
    { id: 8, callFrame: REC, children: [10] },
    { id: 9, callFrame: js("tiny", "node:internal/timers", 0) },
    { id: 10, callFrame: js("leaf", "file:///x/node_modules/aedes/lib/handlers/publish.js", 0) },
    { id: 11, callFrame: A },
  ],
  startTime: 0,
  endTime: 15_000,
  samples: [2, 3, 7, 4, 5, 6, 10, 7, 8, 9, 11, 3, 10],
  timeDeltas: [1000, 2500, 1000, 1000, 1000, 500, 1990, 1000, 1000, 10, 500, 2500, 1000],
};

const frames = (svg: string) => svg.match(/<g class="frame">.*?<\/g>/g) ?? [];
const fillOf = (svg: string, label: string) =>
  /fill="([^"]+)"/.exec(frames(svg).find((f) => f.includes(label))!)![1]!;

describe("idleUnder", () => {
  it("counts the samples under a matching frame as idle, and only those", () => {
    const rows = topFunctions(
      idleUnder(PROFILE, (f) => f.functionName === "rec"),
      50,
    );
    expect(rows.map((r) => r.name)).not.toContain("rec");
    expect(rows.map((r) => r.name)).not.toContain("leaf"); // called under rec
    // 10 ms non-idle less rec's 3 ms and leaf's 2.99 ms.
    expect(rows.reduce((s, r) => s + r.selfMs, 0)).toBeCloseTo(4.01, 6);
    expect(rows.find((r) => r.name === "main")?.selfMs).toBe(1);
  });
});

describe("topFunctions", () => {
  const rows = topFunctions(PROFILE, 50);
  const row = (name: string) => rows.find((r) => r.name === name)!;

  it("ranks by self time, merging identical frames across the tree", () => {
    expect(rows.slice(0, 2).map((r) => r.name)).toEqual(["rec", "leaf"]);
    expect(row("rec")).toEqual({
      name: "rec",
      file: "r.ts:5",
      selfMs: 3,
      selfPct: 30,
      totalMs: 5.99,
      totalPct: 59.9,
    });
    expect(row("leaf")).toEqual({
      name: "leaf",
      file: "aedes/…/publish.js:1",
      selfMs: 2.99,
      selfPct: 29.9,
      totalMs: 2.99,
      totalPct: 29.9,
    });
    expect(row("a<b>&c")).toMatchObject({ selfMs: 1, selfPct: 10, totalMs: 7, totalPct: 70 });
    expect(row("main")).toMatchObject({ file: "app.ts:10", selfMs: 1, totalMs: 8, totalPct: 80 });
    expect(row("(garbage collector)")).toMatchObject({ file: "", selfMs: 1, selfPct: 10, totalPct: 10 });
    expect(row("(program)")).toMatchObject({ selfMs: 1, selfPct: 10 });
    expect(row("tiny")).toMatchObject({ file: "node:internal/timers:1", selfMs: 0.01, selfPct: 0.1 });
  });

  it("does not double count recursion, and leaves out idle and (root)", () => {
    // Per-node inclusive sums would give rec 5.99 + 3.99 ms.
    expect(row("rec").totalMs).toBe(5.99);
    expect(rows.map((r) => r.name)).not.toContain("(idle)");
    expect(rows.map((r) => r.name)).not.toContain("(root)");
    expect(rows.reduce((s, r) => s + r.selfMs, 0)).toBeCloseTo(10, 9);
    expect(topFunctions(PROFILE, 3)).toHaveLength(3);
  });

  it("renders a markdown table", () => {
    const md = topFunctionsMarkdown(topFunctions(PROFILE, 2));
    expect(md.split("\n")).toEqual([
      "| # | function | file | self ms | self % | total ms | total % |",
      "|---:|---|---|---:|---:|---:|---:|",
      "| 1 | rec | r.ts:5 | 3.0 | 30.0 | 6.0 | 59.9 |",
      "| 2 | leaf | aedes/…/publish.js:1 | 3.0 | 29.9 | 3.0 | 29.9 |",
      "",
    ]);
  });
});

describe("flameGraphSvg", () => {
  const svg = flameGraphSvg(PROFILE, { title: "test <profile>" });

  it("is a standalone svg with one rect+text per kept frame and escaped names", () => {
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain("monospace");
    expect(svg).toContain("test &lt;profile&gt;");
    // root, program, gc, main, a<b>&c (two siblings merged), rec, rec, leaf; idle and tiny left out.
    const kept = frames(svg);
    expect(kept).toHaveLength(8);
    for (const f of kept) {
      expect(f.match(/<rect /g)).toHaveLength(1);
      expect(f.match(/<text /g)).toHaveLength(1);
    }
    expect(svg).toContain(">a&lt;b&gt;&amp;c (g.ts:20)</text>");
    expect(svg).toContain("<title>a&lt;b&gt;&amp;c (/x/gateway/src/g.ts:20) — 7.0 ms, 70.0 %</title>");
    expect(svg).not.toContain("a<b>");
    expect(svg).not.toContain("(idle)");
    expect(svg).not.toContain("tiny");
  });

  it("sizes frames by inclusive time and says what was shown", () => {
    expect(svg).toContain("Shown: 10.0 ms of samples; idle: 5.0 ms (excluded)");
    const main = frames(svg).find((f) => f.includes(">main (app.ts:10)"))!;
    expect(main).toContain('width="944.00"'); // 80 % of 1200 - 2 × 10 px padding
    expect(main).toContain("8.0 ms, 80.0 %");
  });

  it("colours by category", () => {
    const fill = (label: string) => fillOf(svg, label);
    const hue = (c: string) => Number(/hsl\((\d+),/.exec(c)![1]);
    expect(hue(fill(">main ("))).toBeLessThan(35); // project: orange/red
    expect(hue(fill(">leaf ("))).toBeGreaterThanOrEqual(45); // dependency: yellow
    expect(hue(fill(">leaf ("))).toBeLessThan(60);
    expect(fill(">(garbage collector)")).toMatch(/^hsl\(0, 0%/); // native: grey
    const timers = fillOf(flameGraphSvg(PROFILE, { title: "t", minFrac: 0 }), ">tiny (");
    expect(hue(timers)).toBeGreaterThanOrEqual(90); // node internals: green
    expect(hue(timers)).toBeLessThan(130);
  });

  it("keeps idle when asked and honours minFrac", () => {
    const withIdle = flameGraphSvg(PROFILE, { title: "t", includeIdle: true });
    expect(frames(withIdle)).toHaveLength(9);
    expect(withIdle).toContain("Shown: 15.0 ms of samples; idle: 5.0 ms (included)");
    expect(frames(flameGraphSvg(PROFILE, { title: "t", minFrac: 0 }))).toHaveLength(9);
    // root 100, main 80, a 70, rec 59.9, inner rec 39.9, leaf 29.9 %: a 0.35 cut keeps 5 frames.
    expect(frames(flameGraphSvg(PROFILE, { title: "t", minFrac: 0.35 }))).toHaveLength(5);
  });

  it("truncates labels to the box width", () => {
    const narrow = flameGraphSvg(PROFILE, { title: "t", width: 120 });
    const leaf = frames(narrow).find((f) => f.includes("<title>leaf ("))!;
    // leaf: 29.9 % of 100 px ≈ 29.9 px → 3 chars at 7 px.
    expect(leaf).toMatch(/<text [^>]*>le…<\/text>/);
  });
});

describe("shortFile", () => {
  it("shortens paths", () => {
    expect(shortFile("file:///w/gateway/src/gateway.ts")).toBe("gateway.ts");
    expect(shortFile("file:///w/node_modules/ws/index.js")).toBe("ws/index.js");
    expect(shortFile("file:///w/node_modules/@influxdata/influxdb-client/dist/index.mjs")).toBe(
      "@influxdata/influxdb-client/…/index.mjs",
    );
    expect(shortFile("node:internal/timers")).toBe("node:internal/timers");
    expect(shortFile("")).toBe("");
  });
});

describe("a real node --cpu-prof profile", () => {
  const dir = join(tmp, "prof");
  const script = [
    "function busyLeaf(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i) * Math.sin(i); return s; }",
    "function busyOuter(ms) { const t = Date.now(); let x = 0; while (Date.now() - t < ms) x += busyLeaf(20000); return x; }",
    "console.log(busyOuter(250) !== 0);",
  ].join("\n");
  let run: ReturnType<typeof spawnSync>;
  let file = "";
  beforeAll(() => {
    const args = ["--cpu-prof", `--cpu-prof-dir=${dir}`, "-e", script];
    run = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 30_000 });
    const written = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")) : [];
    expect(written).toHaveLength(1);
    file = join(dir, written[0]!);
  });

  it("finds the busy function with a substantial share", () => {
    expect(run.status, String(run.stderr)).toBe(0);
    const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
    const rows = topFunctions(profile);
    const busy = rows.filter((r) => r.name === "busyLeaf" || r.name === "busyOuter");
    expect(busy.length, topFunctionsMarkdown(rows)).toBeGreaterThan(0);
    expect(Math.max(...busy.map((r) => r.totalPct)), topFunctionsMarkdown(rows)).toBeGreaterThan(40);
    expect(Math.max(...busy.map((r) => r.selfPct)), topFunctionsMarkdown(rows)).toBeGreaterThan(25);
    const svg = flameGraphSvg(profile, { title: "busy" });
    expect(svg).toMatch(/>busy(Leaf|Outer) \(\[eval\]:1\)/);
  });

  it("works as a CLI", () => {
    const out = join(tmp, "busy.svg");
    const cli = spawnSync(
      process.execPath,
      ["--import", "tsx", "simulators/bench/profile/flame.ts", file, out, "--title", "busy loop"],
      { cwd: REPO, encoding: "utf8", timeout: 60_000 },
    );
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toContain("| # | function | file |");
    expect(cli.stdout).toMatch(/\| busy(Leaf|Outer) \| \[eval\]:1 \|/);
    const svg = readFileSync(out, "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("busy loop");
  });
});
