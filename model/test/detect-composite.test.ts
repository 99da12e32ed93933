import { describe, expect, it } from "vitest";
import { DetectionEngine, type DetectionEngineOptions } from "../src/detect";
import { collector, miniCity } from "./detect-fixtures";

const city = miniCity();
const MIN = 60_000;
const T0 = 1_750_000_000_000;
const WARM = 6 * MIN; // past the 5 min baseline warm-up

/** Normal values per kind (with a little noise, so nothing looks stuck). */
function normal(kind: string, t: number): number {
  const n = Math.sin(t / 1000 + kind.length);
  const base: Record<string, number> = {
    gas_pressure: 205,
    ch4: 1,
    water_pressure: 330,
    water_flow: 300,
    water_level: 0.4,
    strain: 150,
    deflection: 8,
    pm25: 30,
  };
  const noise: Record<string, number> = {
    gas_pressure: 0.5,
    ch4: 0.1,
    water_pressure: 2,
    water_flow: 5,
    water_level: 0.004,
  };
  return (base[kind] ?? 0) + (noise[kind] ?? 1) * n;
}

type Override = (id: string, t: number) => number | undefined;

function drive(options: Partial<DetectionEngineOptions> = {}) {
  const c = collector();
  const engine = new DetectionEngine({ city, onCondition: c.on, ...options });
  const interval = new Map(city.devices.map((d) => [d.id, d.intervalMs]));
  let t = T0;
  const run = (untilMs: number, override: Override = () => undefined) => {
    for (; t < T0 + untilMs; t += 1000) {
      city.sensors.forEach((s, i) => {
        if ((t - T0) % (interval.get(s.deviceId) ?? 1000) !== 0) return;
        engine.reading(i, t, override(s.id, t) ?? normal(s.kind, t), "good");
      });
      engine.tick(t);
    }
  };
  return { c, engine, run, composites: () => c.all.filter((x) => x.detector === "composite") };
}

const GVC1 = "340111-GVC-00001";
const MH1 = "340111-MH-00001";
const since = (t: number, from: number) => (t - T0 - from) / 1000;
/** A leak: ch4 up to ~40 %LEL fluctuating ±6, pressure on the pipe down 70 kPa, from `at`. */
const leak =
  (at: number, ch4Asset: string, pressureAsset = "340111-GPS-00001"): Override =>
  (id, t) => {
    if (t < T0 + at) return undefined;
    const r = Math.min(1, since(t, at) / 10);
    if (id.startsWith(ch4Asset)) return 1 + r * (40 + 6 * Math.sin(since(t, at) * 2));
    if (id.startsWith(pressureAsset)) return 205 - r * 70;
    return undefined;
  };

describe("composite rules in the engine", () => {
  it("gas leak: methane up and fluctuating at a valve chamber + pressure drop on its pipe → red, with evidence", () => {
    const d = drive();
    d.run(WARM);
    d.run(WARM + 2 * MIN, leak(WARM, GVC1));
    const red = d.composites().find((x) => x.rule === "gas_leak");
    expect(red).toMatchObject({ sourceId: GVC1, level: "red", key: `${GVC1}/composite:gas_leak` });
    expect(since(red?.ts ?? 0, WARM)).toBeLessThanOrEqual(5);
    expect(red?.evidenceSensorIds.slice().sort()).toEqual([
      "340111-GPS-00001-D01.gas_pressure",
      `${GVC1}-D01.ch4`,
    ]);
    expect(red?.explanation.zh).toContain("GVC1号");
    expect(d.composites().find((x) => x.rule === "gas_leak_suspected")?.level).toBe("orange");
    expect(d.composites().filter((x) => x.sourceId !== GVC1)).toEqual([]);
  });

  it("sewer biogas (methane slowly up to 12 %LEL and stable) raises the value threshold only", () => {
    const d = drive();
    d.run(WARM);
    const biogas: Override = (id, t) =>
      id.startsWith(MH1) ? 1 + Math.min(11, since(t, WARM) / 60) + 0.05 * Math.sin(t / 1000) : undefined;
    d.run(WARM + 40 * MIN, biogas);
    expect(d.c.levels(`${MH1}-D01.ch4/threshold`)).toEqual(["blue"]);
    expect(d.composites()).toEqual([]);
  });

  it("a pressure drop on a pipe that is not connected does not make a leak red", () => {
    const d = drive();
    d.run(WARM);
    d.run(WARM + 2 * MIN, leak(WARM, GVC1, "340111-GPS-00003"));
    expect(d.composites().map((x) => `${x.rule}=${x.level}`)).toEqual(["gas_leak_suspected=orange"]);
  });

  it("clears one window (60 s) after the last reading that satisfied every term", () => {
    const d = drive();
    d.run(WARM);
    d.run(WARM + MIN, leak(WARM, GVC1));
    d.run(WARM + 5 * MIN);
    const leakConds = d.composites().filter((x) => x.rule === "gas_leak");
    expect(leakConds.map((x) => x.level)).toEqual(["red", "normal"]);
    expect(since(leakConds[1]?.ts ?? 0, WARM + MIN)).toBeGreaterThan(55);
    expect(since(leakConds[1]?.ts ?? 0, WARM + MIN)).toBeLessThan(75);
    expect(leakConds[1]?.explanation.en).toMatch(/^Cleared: /);
  });

  it("pipe burst needs the pressure drop and the flow surge together", () => {
    const WMN = "340111-WMN-00001-D01";
    const dropOnly = drive();
    dropOnly.run(WARM);
    dropOnly.run(WARM + MIN, (id, t) => (id === `${WMN}.water_pressure` && t >= T0 + WARM ? 100 : undefined));
    expect(dropOnly.composites()).toEqual([]);
    const burst = drive();
    burst.run(WARM);
    burst.run(WARM + MIN, (id, t) => {
      if (t < T0 + WARM) return undefined;
      if (id === `${WMN}.water_pressure`) return 100;
      if (id === `${WMN}.water_flow`) return 1200;
      return undefined;
    });
    expect(burst.composites().map((x) => `${x.rule}=${x.level}`)).toEqual(["pipe_burst=red"]);
  });

  it("waterlogging is orange; the heavy_rain flag makes it red, and the rain rule ends a window after the flag", () => {
    const DWL = "340111-DWL-00001";
    const rising: Override = (id, t) =>
      id === `${DWL}-D01.water_level` ? 0.4 + Math.max(0, since(t, WARM)) * 0.01 : undefined; // 0.6 m/min
    const d = drive();
    d.run(WARM);
    d.engine.setFlag("heavy_rain", true, T0 + WARM);
    d.run(WARM + 2 * MIN, rising);
    expect(d.composites().map((x) => `${x.rule}=${x.level}`)).toEqual([
      "waterlogging=orange",
      "waterlogging_rain=red",
    ]);
    d.engine.setFlag("heavy_rain", false, T0 + WARM + 2 * MIN);
    d.run(WARM + 6.5 * MIN, rising);
    expect(d.c.levels(`${DWL}/composite:waterlogging_rain`)).toEqual(["red"]);
    d.run(WARM + 7.5 * MIN, rising);
    expect(d.c.levels(`${DWL}/composite:waterlogging_rain`)).toEqual(["red", "normal"]);
    expect(d.c.levels(`${DWL}/composite:waterlogging`)).toEqual(["orange"]);
  });

  it("bridge overload needs two strain gauges and the deflection", () => {
    const BRG = "340111-BRG-00001-D01";
    const high =
      (keys: string[]): Override =>
      (id, t) =>
        t >= T0 + WARM && keys.some((k) => id === `${BRG}.${k}`)
          ? id.includes("strain")
            ? 700
            : 60
          : undefined;
    const one = drive();
    one.run(WARM);
    one.run(WARM + MIN, high(["strain_1", "deflection_1"]));
    expect(one.composites()).toEqual([]);
    const two = drive();
    two.run(WARM);
    two.run(WARM + MIN, high(["strain_1", "strain_3", "deflection_1"]));
    expect(two.composites().map((x) => `${x.rule}=${x.level}`)).toEqual(["bridge_overload=red"]);
  });

  it("the cheap stage runs no composite rules", () => {
    const d = drive({ stage: "cheap" });
    d.run(WARM);
    d.run(WARM + 2 * MIN, leak(WARM, GVC1));
    expect(d.composites()).toEqual([]);
    expect(d.c.levels(`${GVC1}-D01.ch4/threshold`)[0]).toBe("blue");
  });
});
