/**
 * Smoke test of the broker bench (simulators/bench/broker): tiny numbers, one QoS, both
 * patterns and brokers. Asserts only that it completes and writes a well-formed report;
 * nothing here judges timings.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { BrokerReport } from "../bench/broker/report";

const REPO = resolve(import.meta.dirname, "../..");
const out = mkdtempSync(join(tmpdir(), "citytwin-bench-broker-smoke-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("broker bench", () => {
  it("runs with tiny numbers and writes broker.json and broker.md", () => {
    const args = ["--import", "tsx", "simulators/bench/broker/main.ts"];
    args.push(
      "--clients",
      "3",
      "--inflight",
      "2",
      "--fanout-inflight",
      "10",
      "--warmup",
      "0.5",
      "--seconds",
      "1",
    );
    args.push("--qos", "1", "--out", out);
    const run = spawnSync(process.execPath, args, { cwd: REPO, encoding: "utf8", timeout: 90_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    const report = JSON.parse(readFileSync(join(out, "broker.json"), "utf8")) as BrokerReport;
    expect(report.runs.map((r) => `${r.pattern}/${r.qos}/${r.broker}`)).toEqual([
      "fan-in/1/mosquitto",
      "fan-in/1/citytwin",
      "fan-out/1/mosquitto",
      "fan-out/1/citytwin",
    ]);
    for (const r of report.runs) {
      expect(Number.isFinite(r.deliveredPerS) && r.deliveredPerS > 0).toBe(true);
      expect(r.endToEndMs.samples).toBeGreaterThan(0);
      expect(r.endToEndMs.p50).toBeLessThanOrEqual(r.endToEndMs.p999);
    }
    expect(report.machine.mosquitto).toMatch(/mosquitto version/);
    const md = readFileSync(join(out, "broker.md"), "utf8");
    expect(md).toContain("| pattern | QoS | broker |");
    expect(md.match(/^\| fan-(in|out) \|/gm)).toHaveLength(4);
  });
});
