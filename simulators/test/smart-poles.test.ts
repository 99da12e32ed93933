/**
 * Full smart poles (generateCity({ smartPoles: "full" })): devices per pole, the vendor
 * payload decoded through edge/profiles/ct-pole-*.yaml, signals in their normal band and the
 * detector defaults silent on clean data. The seed-42 demo city ("basic") is unchanged.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import pino from "pino";
import { levelFor, sensorKind, type CityModel } from "@citytwin/model";
import { DEVICE_MODELS, generateCity, type DeviceModelSpec } from "../src/city";
import { PoleSimulator } from "../src/protocols/pole-sim";
import { SignalEngine } from "../src/signals";
import { evaluateScenarios } from "../bench/detect/scenarios/evaluate";
import { BENCH_START_MS, cleanRun } from "../bench/detect/scenarios/labelled";

const PROFILES = join(import.meta.dirname, "..", "..", "edge", "profiles");
const NEW_KINDS = ["lamp_on", "pm10", "humidity", "ev_state", "ev_power", "sos_button", "tilt"];
const full = generateCity({ seed: 42, smartPoles: "full" });
const DAY = 86_400_000;

function at(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split(".")) cur = (cur as Record<string, unknown> | undefined)?.[part];
  return cur;
}

describe("full smart poles", () => {
  it("leave the basic demo city as it was and give every pole its devices", () => {
    expect(generateCity({ seed: 42 }).sensors).toHaveLength(1096);
    const poles = full.assets.filter((a) => a.type === "SPL");
    const has = (p: string, n: number) => full.devices.some((d) => d.id === `${p}-D0${n}`);
    expect(poles.every((p) => has(p.id, 1) && has(p.id, 4) && has(p.id, 5))).toBe(true);
    expect(poles.filter((p) => has(p.id, 2))).toHaveLength(Math.ceil(poles.length / 3));
    expect(poles.filter((p) => has(p.id, 3))).toHaveLength(Math.ceil(poles.length / 4));
    for (const k of NEW_KINDS)
      expect(
        full.sensors.some((s) => s.kind === k),
        k,
      ).toBe(true);
  });

  it("publish payloads that the pole profiles decode into every sensor's value", () => {
    const engine = new SignalEngine({ city: full, startMs: BENCH_START_MS });
    const sim = new PoleSimulator({
      city: full,
      engine,
      brokerUrl: "mqtt://unused",
      clock: { now: () => 0 },
      logger: pino({ level: "silent" }),
    });
    const models = new Map<string, DeviceModelSpec>(Object.values(DEVICE_MODELS).map((m) => [m.model, m]));
    const poles = sim.poles.slice(0, 24);
    for (const t of [BENCH_START_MS, BENCH_START_MS + 0.55 * DAY]) {
      for (const pole of poles) {
        const payload = sim.payload(pole, t);
        for (const d of full.devices.filter((x) => x.assetId === pole.poleId)) {
          const spec = models.get(d.model);
          const profile = parse(readFileSync(join(PROFILES, `${spec?.profile}.yaml`), "utf8")) as {
            fields: Record<string, string>;
          };
          expect(Object.keys(profile.fields).sort()).toEqual([...(spec?.keys ?? [])].sort());
          for (const [key, path] of Object.entries(profile.fields)) {
            const v = at(payload, path);
            expect(typeof v, `${d.id}.${key} at ${path}`).toBe("number");
            expect(v as number).toBeCloseTo(engine.value(`${d.id}.${key}`, t), 0);
          }
        }
      }
    }
  });

  it("keep the new kinds inside their range and normal band over a day", () => {
    const engine = new SignalEngine({ city: full, startMs: BENCH_START_MS });
    const sensors = full.sensors.filter((s) => NEW_KINDS.includes(s.kind));
    const bad: string[] = [];
    const seen = new Map<string, Set<number>>();
    for (let t = BENCH_START_MS; t < BENCH_START_MS + DAY; t += 97_000) {
      for (const s of sensors) {
        const v = engine.value(s.id, t);
        const k = sensorKind(s.kind)!;
        if (!(v >= k.min && v <= k.max) || levelFor(k.thresholds, v) !== "normal") bad.push(`${s.id}=${v}`);
        if (s.kind === "ev_state") (seen.get(s.kind) ?? seen.set(s.kind, new Set()).get(s.kind)!).add(v);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect([...(seen.get("ev_state") ?? [])].sort()).toEqual([0, 2, 5]);
  });

  it("raise no detector condition over a clean day and a half (36 poles)", () => {
    const keep = new Set(
      full.assets
        .filter((a) => a.type === "SPL")
        .slice(0, 36)
        .map((a) => a.id),
    );
    const sub: CityModel = {
      ...full,
      assets: full.assets.filter((a) => keep.has(a.id)),
      devices: full.devices.filter((d) => keep.has(d.assetId)),
      sensors: full.sensors.filter((s) => keep.has(s.assetId)),
    };
    const [run] = evaluateScenarios({ city: sub, runs: [cleanRun(1.5, BENCH_START_MS)] });
    expect(run?.readings).toBeGreaterThan(1_000_000);
    expect(run?.conditions).toBe(0);
  }, 120_000);
});
