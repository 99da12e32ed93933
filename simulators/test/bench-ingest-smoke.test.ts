/**
 * Smoke test of the ingest bench (simulators/bench/ingest): a real influxd, tiny numbers, two
 * short steps. Asserts only that it completes and writes a well-formed report; nothing here
 * judges rates or latencies.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { IngestReport } from "../bench/ingest/report";

const REPO = resolve(import.meta.dirname, "../..");
const out = mkdtempSync(join(tmpdir(), "citytwin-bench-ingest-smoke-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("ingest bench", () => {
  it("runs with tiny numbers and writes ingest.json and ingest.md", () => {
    const args = ["--import", "tsx", "simulators/bench/ingest/main.ts"];
    // No nodered peer: it would install Node-RED from npm (nodered-flow.test.ts covers the flow).
    args.push("--peers", "raw,citytwin", "--seconds", "1", "--steps", "1000,2000", "--keep-going");
    args.push("--raw-seconds", "1", "--raw-points", "50000", "--gateways", "2", "--devices", "10");
    args.push("--drain-s", "8", "--out", out);
    const run = spawnSync(process.execPath, args, { cwd: REPO, encoding: "utf8", timeout: 90_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    const report = JSON.parse(readFileSync(join(out, "ingest.json"), "utf8")) as IngestReport;
    expect(report.peers).toEqual(["raw", "citytwin"]);
    expect(report.raw?.points).toBeGreaterThan(0);
    expect(report.raw?.counted).toBe(report.raw?.points);
    expect(report.nodered).toBeNull();
    expect(report.steps.map((s) => s.offeredPerS)).toEqual([1000, 2000]);
    for (const s of report.steps) {
      expect(s.acked).toBeGreaterThan(0);
      expect(Number.isFinite(s.acceptedPerS)).toBe(true);
      expect(s.inInflux).toBeGreaterThanOrEqual(0);
      expect(s.liveMs.p50).toBeLessThanOrEqual(s.liveMs.p99);
      expect(typeof s.held_ok).toBe("boolean");
    }
    expect(report.machine.influxd).toMatch(/influxd/);
    const md = readFileSync(join(out, "ingest.md"), "utf8");
    expect(md).toContain("| offered readings/s |");
    expect(md).toContain("**Raw ceiling**");
    expect(md.match(/^\| [\d,]+ \|/gm)).toHaveLength(2);
  });
});
