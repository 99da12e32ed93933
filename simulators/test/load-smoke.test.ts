/**
 * Smoke test of the load generator (simulators/src/load): a spawned gateway + influxd, a 1,000
 * sensor city at 500 readings/s for 3 s. Asserts only that the harness works and its counts are
 * consistent, and that --cpu-prof writes the gateway's profile; nothing here judges rates or
 * latencies.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LoadReport } from "../src/load/report/types";
import type { CpuProfile } from "../bench/profile/flame";

const REPO = resolve(import.meta.dirname, "../..");
const out = mkdtempSync(join(tmpdir(), "citytwin-load-smoke-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("load generator", () => {
  it("drives a spawned gateway and writes report.json, report.html and report.md", () => {
    const args = ["--import", "tsx", "simulators/src/load/main.ts", "--spawn"];
    args.push("--sensors", "1000", "--rate", "500", "--seconds", "3", "--agents", "2", "--workers", "2");
    args.push(
      "--scenario",
      "simulators/bench/load/faults.yaml",
      "--cpu-prof",
      join(out, "prof"),
      "--out",
      out,
    );
    const run = spawnSync(process.execPath, args, { cwd: REPO, encoding: "utf8", timeout: 100_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    const r = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as LoadReport;
    const t = r.totals;
    expect(r.city.sensors).toBe(1000);
    expect(t.offered).toBeGreaterThan(0);
    expect(t.acked).toBeGreaterThan(0);
    expect(t.offered).toBeGreaterThanOrEqual(t.acked);
    expect(t.sent).toBeGreaterThanOrEqual(t.acked);
    expect(t.stored).toBe(t.acked);
    expect(t.missing).toBe(0);
    expect(r.verdicts.find((v) => v.name.startsWith("zero loss"))?.ok).toBe(true);
    expect(r.series.length).toBeGreaterThanOrEqual(3);
    expect(r.series[0]!.workerCpu).toHaveLength(2);
    expect(r.incidents.map((i) => i.type)).toEqual(["gas_leak", "sensor_stuck", "device_offline"]);
    expect(r.machine.cores).toBeGreaterThan(0);
    // The spawned gateway's own counters: at 500 readings/s nothing is shed and no thread fails.
    expect(t.gatewayCounters).toMatchObject({ shed: 0, decodeFailures: 0 });

    const html = readFileSync(join(out, "report.html"), "utf8");
    expect(html.match(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/g)).toHaveLength(5);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("acknowledged (PUBACK)");

    // --cpu-prof: the event loop's profile of the load window, with the ingest path in it
    // (`judge` runs there whether or not decode threads parse and validate).
    const profile = JSON.parse(readFileSync(join(out, "prof", "gateway.cpuprofile"), "utf8")) as CpuProfile;
    const names = new Set(profile.nodes.map((n) => n.callFrame.functionName));
    expect(profile.samples.length).toBeGreaterThan(0);
    expect(names).toContain("judge");
  });
});
