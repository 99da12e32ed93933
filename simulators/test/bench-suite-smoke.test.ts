/**
 * Smoke test of the benchmark suite (simulators/bench/suite): `npm run bench -- --quick` with
 * one small scaling point (a spawned gateway + influxd, 1,000 sensors, then the latency point).
 * Asserts only that the harness writes well-formed Markdown and JSON with every section and
 * plot for what ran; nothing here judges rates or latencies.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SuiteReport } from "../bench/suite/types";

const REPO = resolve(import.meta.dirname, "../..");
const out = mkdtempSync(join(tmpdir(), "citytwin-bench-suite-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("benchmark suite", () => {
  it("runs --quick --only scaling and writes benchmarks.md, suite.json and the plots", () => {
    const args = ["--import", "tsx", "simulators/bench/suite/main.ts", "--quick", "--only", "scaling"];
    args.push("--scaling-sensors", "1000", "--scaling-seconds", "2", "--out", out);
    const run = spawnSync(process.execPath, args, { cwd: REPO, encoding: "utf8", timeout: 110_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    const assets = join(out, "benchmarks");
    const r = JSON.parse(readFileSync(join(assets, "suite.json"), "utf8")) as SuiteReport;
    expect(r.quick).toBe(true);
    expect(r.stages).toEqual(["scaling"]);
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(r.machine.gitCommit).not.toBe("");
    expect(r.sections.map((s) => s.id)).toEqual(["scaling"]);
    const s = r.sections[0]!;
    expect(s.runs).toHaveLength(2); // the 1k point and the latency point
    for (const run of s.runs) {
      expect(run.ok, run.error).toBe(true);
      expect(run.command).toMatch(/^npm run load -- --spawn --sensors 1000 /);
      expect(run.json).not.toBeNull();
      const raw = JSON.parse(readFileSync(join(REPO, run.json!), "utf8")) as { totals: { acked: number } };
      expect(raw.totals.acked).toBeGreaterThan(0);
    }
    const points = s.data.points as { sensors: number; gatewayRssMiBMax: number | null }[];
    expect(points.map((p) => p.sensors)).toEqual([1000]);
    expect(points[0]!.gatewayRssMiBMax).toBeGreaterThan(0);
    expect(s.data.latency).not.toBeNull();
    expect(r.targets.map((t) => t.section)).toEqual(["scaling", "scaling"]);
    expect(s.plots).toHaveLength(2);
    for (const p of s.plots) {
      const svg = readFileSync(join(REPO, p), "utf8");
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^]*<\/svg>\n$/);
      expect(svg).not.toMatch(/<script|NaN/);
    }

    const md = readFileSync(join(out, "benchmarks.md"), "utf8");
    expect(md).toMatch(/^# CityTwin benchmarks\n/);
    for (const h of ["## Summary", "## Machine", "## Scaling curve"]) expect(md).toContain(`\n${h}`);
    for (const h of ["## Broker", "## Ingest", "## Edge", "## Detector"]) expect(md).not.toContain(`\n${h}`);
    expect(md).toContain("`npm run load -- --spawn --sensors 1000 --interval-s 10 --seconds 2");
    expect(md).toMatch(/\| git commit +\| [0-9a-f]{7,}/);
    // Every table row has as many cells as its header.
    const tables = md.split(/\n\n/).filter((b) => b.startsWith("|"));
    expect(tables.length).toBeGreaterThanOrEqual(3);
    for (const t of tables) {
      const cells = t
        .trim()
        .split("\n")
        .map((l) => l.replace(/\\\|/g, "").split("|").length);
      expect(new Set(cells).size, t).toBe(1);
    }
  });
});
