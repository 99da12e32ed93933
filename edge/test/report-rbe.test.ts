import { describe, expect, it } from "vitest";
import type { Quality, ReadingValue } from "@citytwin/model";
import { profileSchema, deviceConfigSchema, type Profile } from "../src/config/schema";
import type { Reading } from "../src/drivers/types";
import { PolicyTable, RbeFilter, moved, toPointPolicy, type PointPolicy } from "../src/report";

const r = (value: ReadingValue, quality: Quality = "good", key = "ch4"): Reading => ({
  deviceId: "340111-GVC-00001-D01",
  key,
  ts: 0,
  clock: "device",
  value,
  quality,
});

type Step = [at: number, value: ReadingValue, quality: Quality, reported: boolean];

const cases: { name: string; policy: PointPolicy; steps: Step[] }[] = [
  {
    name: "deadband edges: exactly the deadband is not a move, just over is",
    policy: { deadband: 0.5, minIntervalMs: 0, maxIntervalMs: Infinity },
    steps: [
      [0, 10, "good", true],
      [1, 10.5, "good", false],
      [2, 9.5, "good", false],
      [3, 10.51, "good", true],
      [4, 10.01, "good", false], // compared with the last reported 10.51: |−0.5| not > 0.5
      [5, 10.0, "good", true],
    ],
  },
  {
    name: "deadband 0 reports every change and nothing else",
    policy: { deadband: 0, minIntervalMs: 0, maxIntervalMs: Infinity },
    steps: [
      [0, 1, "good", true],
      [1, 1, "good", false],
      [2, 1.0001, "good", true],
    ],
  },
  {
    name: "min interval suppresses moves until it has passed",
    policy: { deadband: 0, minIntervalMs: 1000, maxIntervalMs: Infinity },
    steps: [
      [0, 1, "good", true],
      [500, 2, "good", false],
      [999, 3, "good", false],
      [1000, 3, "good", true],
      [1500, 3, "good", false],
      [2500, 3, "good", false], // no move, no heartbeat
    ],
  },
  {
    name: "max interval heartbeat re-reports an unchanged value",
    policy: { deadband: 1, minIntervalMs: 0, maxIntervalMs: 5000 },
    steps: [
      [0, 20, "good", true],
      [4999, 20.5, "good", false],
      [5000, 20.5, "good", true],
      [6000, 20.4, "good", false],
      [10_000, 20.4, "good", true],
    ],
  },
  {
    name: "quality changes always report, even inside the min interval",
    policy: { deadband: 100, minIntervalMs: 10_000, maxIntervalMs: Infinity },
    steps: [
      [0, 5, "good", true],
      [100, null, "bad", true],
      [200, null, "bad", false],
      [300, 5, "good", true],
      [400, 5, "uncertain", true],
    ],
  },
  {
    name: "NaN equals only NaN",
    policy: { deadband: 1, minIntervalMs: 0, maxIntervalMs: Infinity },
    steps: [
      [0, 1, "good", true],
      [1, Number.NaN, "good", true],
      [2, Number.NaN, "good", false],
      [3, 1, "good", true],
    ],
  },
  {
    name: "booleans and strings report on change only",
    policy: { deadband: 5, minIntervalMs: 0, maxIntervalMs: Infinity },
    steps: [
      [0, true, "good", true],
      [1, true, "good", false],
      [2, false, "good", true],
      [3, "A", "good", true],
      [4, "A", "good", false],
    ],
  },
];

describe("report by exception (RbeFilter)", () => {
  for (const c of cases) {
    it(c.name, () => {
      const f = new RbeFilter(() => c.policy);
      const got = c.steps.map(([at, v, q]) => f.accept(r(v, q), at));
      expect(got).toEqual(c.steps.map((s) => s[3]));
      const s = f.stats();
      expect(s.in).toBe(c.steps.length);
      expect(s.suppressed).toBe(c.steps.filter((x) => !x[3]).length);
      expect(s.passed + s.suppressed).toBe(s.in);
    });
  }

  it("passes points without a policy through and counts heartbeats, quality changes and suppressions", () => {
    const policy: PointPolicy = { deadband: 1, minIntervalMs: 0, maxIntervalMs: 1000 };
    const f = new RbeFilter((_, key) => (key === "ch4" ? policy : undefined));
    const out = f.filter([r(1), r(1, "good", "other"), r(1, "good", "other")], 0);
    expect(out).toHaveLength(3);
    f.accept(r(1), 500);
    f.accept(r(1), 1000); // heartbeat
    f.accept(r(null, "bad"), 1100); // quality change
    expect(f.stats()).toEqual({ in: 6, passed: 5, suppressed: 1, heartbeats: 1, qualityChanges: 1 });
    expect(f.suppressedByDevice()).toEqual({ "340111-GVC-00001-D01": 1 });
  });

  it("moved(): numbers against the deadband, others by identity", () => {
    expect(moved(1, 2, 1)).toBe(false);
    expect(moved(1, 2.01, 1)).toBe(true);
    expect(moved(null, 0, 0)).toBe(true);
    expect(moved(null, null, 0)).toBe(false);
  });
});

describe("report policies from config", () => {
  const profile = profileSchema.parse({
    id: "p",
    driver: "modbus",
    points: [
      { key: "ch4", address: 0, report: { deadband: 0.2 } },
      { key: "gas_pressure", address: 1 },
    ],
    report: { "*": { maxIntervalMs: 60_000 }, gas_pressure: { deadbandPercent: 1 } },
  }) as Profile;
  const device = deviceConfigSchema.parse({
    id: "340111-GVC-00001-D01",
    driver: "modbus",
    profile: "p",
    host: "127.0.0.1",
    report: { "*": { minIntervalMs: 500 }, ch4: { deadband: 0.5 } },
  });
  const table = new PolicyTable([device], { p: profile });

  it("merges field by field: device key > device * > profile key / inline point > profile *", () => {
    expect(table.lookup(device.id, "ch4")).toEqual({
      deadband: 0.5,
      minIntervalMs: 500,
      maxIntervalMs: 60_000,
    });
    // 1 % of gas_pressure's 0–1600 kPa span.
    expect(table.lookup(device.id, "gas_pressure")).toEqual({
      deadband: 16,
      minIntervalMs: 500,
      maxIntervalMs: 60_000,
    });
    expect(table.lookup("340111-GVC-00002-D01", "ch4")).toBeUndefined();
  });

  it("takes the larger of deadband and deadbandPercent; percent needs a known kind", () => {
    expect(toPointPolicy("ch4", { deadband: 2, deadbandPercent: 1 }).deadband).toBe(2);
    expect(toPointPolicy("ch4_2", { deadband: 0.1, deadbandPercent: 1 }).deadband).toBe(1);
    expect(toPointPolicy("mystery", { deadbandPercent: 50 }).deadband).toBe(0);
  });

  it("rejects a max interval below the min interval", () => {
    const bad = { id: "d", driver: "mqtt-json", profile: "x", broker: "mqtt://h", topic: "t" };
    const res = deviceConfigSchema.safeParse({
      ...bad,
      report: { "*": { minIntervalMs: 10, maxIntervalMs: 5 } },
    });
    expect(res.success).toBe(false);
  });
});
