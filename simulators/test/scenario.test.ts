import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LEVEL_RANK, levelFor, sensorKind } from "@citytwin/model";
import { generateCity } from "../src/city";
import { SignalEngine, groundTruth, parseScenario, type Scenario } from "../src/signals";

const city = generateCity({ seed: 42 });
const DEMO = fileURLToPath(new URL("../scenarios/demo.yaml", import.meta.url));
const START = Date.UTC(2025, 4, 31, 16, 0, 0);

function levelOf(sensorId: string, v: number): number {
  const kind = sensorKind(city.sensors.find((s) => s.id === sensorId)?.kind ?? "");
  return LEVEL_RANK[levelFor(kind?.thresholds, v)];
}

/** Highest level rank inside [from, to) and outside it, sampled every second over 0..horizon. */
function levelsAround(
  engine: SignalEngine,
  sensorId: string,
  from: number,
  to: number,
  settleMs: number,
  horizonMs: number,
) {
  let inside = 0;
  let minInside = Infinity;
  let outside = 0;
  for (let t = START; t < START + horizonMs; t += 1000) {
    const rank = levelOf(sensorId, engine.value(sensorId, t));
    if (t >= from && t < to) {
      inside = Math.max(inside, rank);
      if (t >= from + settleMs) minInside = Math.min(minInside, rank);
    } else outside = Math.max(outside, rank);
  }
  return { inside, minInside, outside };
}

describe("scenarios", () => {
  const scenario = parseScenario(readFileSync(DEMO, "utf8"), DEMO, city);
  const engine = new SignalEngine({ city, scenario, startMs: START });
  const truth = groundTruth(scenario, START, city);

  it("loads the demo scenario with labelled windows on real sensors", () => {
    expect(truth.map((w) => w.type)).toEqual(["gas_leak", "waterlogging", "bridge_overload"]);
    expect(truth[0]).toMatchObject({
      incidentId: "gas-leak-1",
      startMs: START + 20_000,
      endMs: START + 140_000,
    });
    expect(truth[0]?.sensorIds).toEqual([
      "340111-GVC-00003-D01.ch4",
      expect.stringMatching(/^340111-GPS-\d{5}-D01\.gas_pressure$/),
    ]);
    expect(truth[2]?.sensorIds).toHaveLength(8);
  });

  it("crosses orange or red inside each window only (after the ramp) and is normal outside", () => {
    for (const w of truth) {
      for (const id of w.sensorIds) {
        if (id.includes("acceleration")) continue;
        const { inside, minInside, outside } = levelsAround(engine, id, w.startMs, w.endMs, 30_000, 300_000);
        expect({ id, outside }).toEqual({ id, outside: 0 });
        expect(inside, id).toBeGreaterThanOrEqual(LEVEL_RANK.orange);
        expect(minInside, id).toBeGreaterThanOrEqual(LEVEL_RANK.yellow);
      }
    }
    // Bridge overload: strain and deflection both above red together.
    const t = START + 120_000;
    expect(engine.value("340111-BRG-00001-D01.strain_2", t)).toBeGreaterThan(600);
    expect(engine.value("340111-BRG-00001-D01.deflection_2", t)).toBeGreaterThan(50);
  });

  it("bursts a main (pressure red, flow ×3+) and freezes or drifts a sensor", () => {
    const wmn = city.assets.find((a) => a.type === "WMN")?.id ?? "";
    const ch4 = city.sensors.find((s) => s.kind === "ch4")?.id ?? "";
    const level = city.sensors.find((s) => s.kind === "water_level")?.id ?? "";
    const s: Scenario = {
      version: 1,
      name: "t",
      incidents: [
        { id: "b", type: "pipe_burst", target: wmn, startS: 10, durationS: 60 },
        { id: "s", type: "sensor_stuck", target: ch4, startS: 0, durationS: 100 },
        { id: "d", type: "sensor_drift", target: level, startS: 0, durationS: 100, severity: 0.5 },
      ],
    };
    const e = new SignalEngine({ city, scenario: s, startMs: START });
    const t = START + 40_000;
    expect(levelFor(sensorKind("water_pressure")?.thresholds, e.value(`${wmn}-D01.water_pressure`, t))).toBe(
      "red",
    );
    expect(e.value(`${wmn}-D01.water_flow`, t)).toBeGreaterThan(3 * e.baseline(`${wmn}-D01.water_flow`, t));
    expect(e.value(`${wmn}-D01.water_pressure`, START + 70_000)).toBe(
      e.baseline(`${wmn}-D01.water_pressure`, START + 70_000),
    );
    const frozen = e.value(ch4, START + 1000);
    expect(e.value(ch4, START + 55_000)).toBe(frozen);
    expect(e.value(ch4, START + 99_000)).toBe(frozen);
    expect(e.value(ch4, START + 100_000)).not.toBe(frozen);
    // Drift: severity 0.5 × 20 % × 10 m range = 1 m at the end of the window, linear.
    expect(e.value(level, START + 50_000) - e.baseline(level, START + 50_000)).toBeCloseTo(0.5, 6);
  });

  it("rejects bad scenario files naming the file, path and line", () => {
    const text = [
      "version: 1",
      "name: x",
      "incidents:",
      "  - id: a",
      "    type: gas_leak",
      "    target: 340111-GVC-00001",
      "    startS: -5",
      "    durationS: 10",
      "",
    ].join("\n");
    expect(() => parseScenario(text, "bad.yaml")).toThrow(/^bad\.yaml:7: at incidents\[0\]\.startS: /);
    const unknown = text.replace("startS: -5", "startS: 5").replace("340111-GVC-00001", "340111-GVC-99999");
    expect(() => parseScenario(unknown, "bad.yaml", city)).toThrow(
      /^bad\.yaml:6: at incidents\[0\]\.target: .*340111-GVC-99999/,
    );
    const wrongKind = unknown.replace("340111-GVC-99999", "340111-SPL-00001");
    expect(() => parseScenario(wrongKind, "bad.yaml", city)).toThrow(/no sensor that a gas_leak acts on/);
    expect(() => parseScenario("version: 1\nname: [\n", "syntax.yaml")).toThrow(
      /^syntax\.yaml:\d+: YAML syntax error/,
    );
  });
});
