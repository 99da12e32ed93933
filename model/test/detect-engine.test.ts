import { describe, expect, it } from "vitest";
import type { Condition } from "../src";
import {
  conditionKey,
  DetectionEngine,
  NEVER,
  SNAPSHOT_FORMAT,
  type DetectionEngineOptions,
} from "../src/detect";
import { miniCity } from "./detect-fixtures";

const city = miniCity();
const T0 = 1_750_000_000_000;
const interval = new Map(city.devices.map((d) => [d.id, d.intervalMs]));

/** A deterministic feed: normal values, a methane leak at the valve chamber from 8 min. */
function value(kind: string, id: string, t: number): number {
  const s = (t - T0) / 1000;
  const n = Math.sin(s * 1.3 + id.length);
  if (id.includes("GVC") && s >= 480) return 1 + Math.min(45, (s - 480) * 5) + 4 * n;
  if (id.includes("GPS-00001") && s >= 480) return 205 - Math.min(80, (s - 480) * 8) + 0.5 * n;
  const base: Record<string, number> = {
    gas_pressure: 205,
    ch4: 1,
    water_pressure: 330,
    water_flow: 300,
    water_level: 0.4,
  };
  return (base[kind] ?? 100) + n * (kind === "water_level" ? 0.004 : 1);
}

function feed(engine: DetectionEngine, fromS: number, toS: number): void {
  for (let s = fromS; s < toS; s++) {
    const t = T0 + s * 1000;
    city.sensors.forEach((sensor, i) => {
      if ((s * 1000) % (interval.get(sensor.deviceId) ?? 1000) === 0)
        engine.reading(i, t, value(sensor.kind, sensor.id, t), "good");
    });
    engine.tick(t);
  }
}

function engineWith(out: Condition[], options: Partial<DetectionEngineOptions> = {}) {
  return new DetectionEngine({ city, onCondition: (c) => void out.push(c), ...options });
}

describe("DetectionEngine", () => {
  it("emits edge-triggered conditions whose keys follow the contract", () => {
    const out: Condition[] = [];
    feed(engineWith(out), 0, 720);
    expect(out.length).toBeGreaterThan(5);
    const last = new Map<string, string>();
    for (const c of out) {
      expect(c.key).toBe(conditionKey(c.sourceId, c.detector, c.rule));
      expect(last.get(c.key)).not.toBe(c.level); // only changes are emitted
      last.set(c.key, c.level);
      expect(c.explanation.en.length).toBeGreaterThan(0);
      expect(c.explanation.zh.length).toBeGreaterThan(0);
    }
  });

  it("a restart in the middle (snapshot → JSON → restore) emits exactly what an uninterrupted run does", () => {
    const straight: Condition[] = [];
    feed(engineWith(straight), 0, 720);
    const before: Condition[] = [];
    const first = engineWith(before);
    feed(first, 0, 500); // mid-leak: levels raised, rule windows open
    const saved = JSON.stringify(first.snapshot());
    const after: Condition[] = [];
    const second = engineWith(after);
    second.restore(JSON.parse(saved));
    feed(second, 500, 720);
    expect([...before, ...after]).toEqual(straight);
    expect(before.some((c) => c.detector === "composite" && c.level !== "normal")).toBe(true);
  });

  it("after a restore, reemitActive re-announces exactly the conditions that are not normal", () => {
    const before: Condition[] = [];
    const first = engineWith(before);
    feed(first, 0, 500);
    const open = new Map<string, string>();
    for (const c of before) open.set(c.key, c.level);
    const expected = [...open]
      .filter(([, level]) => level !== "normal")
      .map(([key, level]) => ({ key, level }));
    expect(expected.length).toBeGreaterThan(0);
    const again: Condition[] = [];
    const second = engineWith(again);
    second.restore(JSON.parse(JSON.stringify(first.snapshot())));
    expect(again).toEqual([]); // restoring alone is silent (edge-triggered)
    second.reemitActive(T0 + 500_000);
    const sort = (xs: { key: string }[]) => [...xs].sort((a, b) => a.key.localeCompare(b.key));
    expect(sort(again.map((c) => ({ key: c.key, level: c.level })))).toEqual(sort(expected));
    expect(again.every((c) => c.ts === T0 + 500_000)).toBe(true);
  });

  it("a fresh engine over the same feed does not repeat the restored run (the state really carried)", () => {
    const straight: Condition[] = [];
    feed(engineWith(straight), 0, 720);
    const cold: Condition[] = [];
    feed(engineWith(cold), 500, 720);
    expect(cold).not.toEqual(straight.filter((c) => c.ts >= T0 + 500_000));
  });

  it("rejects a snapshot of another format or version", () => {
    const e = engineWith([]);
    const snap = e.snapshot();
    expect(() => e.restore({ ...snap, version: 2 })).toThrowError(/version 2 is not supported/);
    expect(() => e.restore({ ...snap, format: "x" })).toThrowError(new RegExp(`not a ${SNAPSHOT_FORMAT}`));
    expect(() => e.restore(null)).toThrowError(/not a /);
    expect(() => e.restore({ ...snap, sensors: [] })).toThrowError(/snapshot.sensors must be an object/);
  });

  it("takes each entry whose shape still fits and starts the others fresh", () => {
    const a = engineWith([]);
    feed(a, 0, 400);
    const snap = a.snapshot();
    const flowId = "340111-WMN-00001-D01.water_flow";
    const b = engineWith([], { kindProfiles: { water_flow: { seasonal: null } } });
    b.restore(snap);
    const restored = b.snapshot();
    expect(restored.sensors[flowId]?.seas).toBeNull();
    expect(restored.sensors[flowId]?.clock.lastTs).toBe(NEVER); // fresh: as if never read
    const pressureId = "340111-WMN-00001-D01.water_pressure";
    expect(restored.sensors[pressureId]).toEqual(snap.sensors[pressureId]);
    const c = engineWith([]);
    const broken = structuredClone(snap);
    const pressure = broken.sensors[pressureId];
    if (pressure?.rate) pressure.rate.at = [1, 2];
    c.restore(broken);
    expect(c.snapshot().sensors[pressureId]?.base?.n).toBe(0);
  });

  it("keeps the state per sensor small: ≤ 45 numbers (360 B as float64), ≤ 100 with a seasonal baseline", () => {
    const e = engineWith([]);
    feed(e, 0, 60);
    const numbers = (x: unknown): number =>
      typeof x === "number"
        ? 1
        : x !== null && typeof x === "object"
          ? Object.values(x).reduce((n, v) => n + numbers(v), 0)
          : 0;
    for (const [id, st] of Object.entries(e.snapshot().sensors)) {
      expect(numbers(st), id).toBeLessThanOrEqual(st.seas === null ? 45 : 100);
    }
  });

  it("ignores unknown sensor indices and ids", () => {
    const out: Condition[] = [];
    const e = engineWith(out);
    e.reading(-1, T0, 1, "good");
    e.reading(city.sensors.length, T0, 1, "good");
    e.deviceSeen("nope", T0);
    e.gatewayState("nope", "offline", T0);
    expect(e.indexOf("nope")).toBe(-1);
    expect(out).toEqual([]);
  });
});
