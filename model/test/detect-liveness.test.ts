import { describe, expect, it } from "vitest";
import { DetectionEngine } from "../src/detect";
import { collector, miniCity } from "./detect-fixtures";

const city = miniCity();
const GPS1 = "340111-GPS-00001-D01";
const WMN = "340111-WMN-00001-D01";
const SPL = "340111-SPL-00001-D01";

function setup() {
  const c = collector();
  const engine = new DetectionEngine({ city, rules: [], onCondition: c.on });
  const i = (id: string) => engine.indexOf(id);
  /** Every sensor of every device reports `v` at t (seconds), then the engine ticks. */
  const all = (t: number, skip: (id: string) => boolean = () => false) => {
    for (const s of city.sensors) if (!skip(s.id)) engine.reading(i(s.id), t * 1000, 1, "good");
    engine.tick(t * 1000);
  };
  return { c, engine, i, all };
}

describe("missing data and offline detection", () => {
  it("a sensor silent while its device reports is missing after max(5 × interval, 10 s); a reading clears it", () => {
    const { c, engine, i } = setup();
    const pressure = `${WMN}.water_pressure`;
    const flowId = `${WMN}.water_flow`;
    for (let t = 0; t <= 30; t++) {
      engine.reading(i(flowId), t * 1000, 100, "good");
      if (t === 0) engine.reading(i(pressure), 0, 300, "good");
      engine.tick(t * 1000);
    }
    expect(c.all.find((x) => x.key === `${pressure}/missing`)?.ts).toBe(11_000);
    expect(c.levels(`${flowId}/missing`)).toEqual([]);
    engine.reading(i(pressure), 31_000, 300, "good");
    expect(c.levels(`${pressure}/missing`)).toEqual(["blue", "normal"]);
  });

  it("bad-quality readings keep the device alive but count as missing data", () => {
    const { c, engine, i } = setup();
    const id = `${GPS1}.gas_pressure`;
    for (let t = 0; t <= 20; t++) {
      engine.reading(i(id), t * 1000, t === 0 ? 205 : null, t === 0 ? "good" : "bad");
      engine.tick(t * 1000);
    }
    expect(c.levels(`${id}/missing`)).toEqual(["blue"]);
    expect(c.levels(`${GPS1}/offline`)).toEqual([]);
  });

  it("a sensor never heard counts from when its device was first heard", () => {
    const { c, engine } = setup();
    for (let t = 0; t <= 12; t++) {
      engine.deviceSeen(WMN, t * 1000);
      engine.tick(t * 1000);
    }
    expect(c.all.filter((x) => x.key.startsWith(WMN) && x.detector === "missing").map((x) => x.ts)).toEqual([
      11_000, 11_000,
    ]);
  });

  it("a silent device goes offline after 15 s and its sensors do not also report missing", () => {
    const { c, all } = setup();
    for (let t = 0; t <= 40; t++) all(t, (id) => t > 5 && id.startsWith(GPS1));
    expect(c.levels(`${GPS1}/offline`)).toEqual(["yellow"]);
    expect(c.all.find((x) => x.key === `${GPS1}/offline`)?.ts).toBe(21_000);
    expect(c.levels(`${GPS1}.gas_pressure/missing`)).toEqual([]);
    expect(c.all.find((x) => x.key === `${GPS1}/offline`)?.evidenceSensorIds).toEqual([
      `${GPS1}.gas_pressure`,
    ]);
  });

  it("a reported-down device is offline at once, with the reason; 'ok' clears it", () => {
    const { c, engine } = setup();
    engine.deviceState(GPS1, "down", 5000);
    engine.deviceState(GPS1, "unknown", 6000);
    engine.deviceSeen(GPS1, 7000); // a heartbeat does not clear a reported state
    engine.deviceState(GPS1, "ok", 8000);
    expect(c.levels(`${GPS1}/offline`)).toEqual(["yellow", "normal"]);
    expect(c.all[0]?.explanation.en).toContain("reported offline");
  });

  it("5 s devices: missing after 25 s, not before", () => {
    const { c, engine, i } = setup();
    for (let t = 0; t <= 40; t++) {
      engine.deviceSeen(SPL, t * 1000);
      if (t === 0) engine.reading(i(`${SPL}.pm25`), 0, 30, "good");
      engine.tick(t * 1000);
    }
    expect(c.all.find((x) => x.key === `${SPL}.pm25/missing`)?.ts).toBe(26_000);
  });

  it("a gateway reported offline raises one orange condition; its devices stay quiet until it is back", () => {
    const { c, engine, all } = setup();
    all(0);
    engine.gatewayState("gw-b", "offline", 1000);
    for (let t = 1; t <= 60; t++) all(t, (id) => id.startsWith(SPL));
    expect(c.levels("gw-b/offline")).toEqual(["orange"]);
    expect(c.levels(`${SPL}/offline`)).toEqual([]);
    expect(c.levels(`${SPL}.pm25/missing`)).toEqual([]);
    engine.gatewayState("gw-b", "online", 61_000);
    expect(c.levels("gw-b/offline")).toEqual(["orange", "normal"]);
  });

  it("a gateway whose devices all go silent is offline after 30 s, once, instead of per device", () => {
    const { c, all } = setup();
    for (let t = 0; t <= 60; t++) all(t, (id) => t > 2 && id.startsWith(SPL));
    expect(c.levels("gw-b/offline")).toEqual(["orange"]);
    expect(c.levels(`${SPL}/offline`)).toEqual([]);
    expect(c.levels("gw-a/offline")).toEqual([]);
    all(61);
    expect(c.levels("gw-b/offline")).toEqual(["orange", "normal"]);
  });
});
