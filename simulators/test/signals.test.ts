import { describe, expect, it } from "vitest";
import { levelFor, sensorKind } from "@citytwin/model";
import { generateCity } from "../src/city";
import { SignalEngine, localHour } from "../src/signals";

const city = generateCity({ seed: 42 });
// 2025-06-01 00:00 Beijing time.
const MIDNIGHT_CST = Date.UTC(2025, 4, 31, 16, 0, 0);
const engine = new SignalEngine({ city, startMs: MIDNIGHT_CST });

describe("SignalEngine baseline", () => {
  it("keeps every sensor inside its physical range and normal band over a simulated day", () => {
    const outOfBand: string[] = [];
    for (let t = MIDNIGHT_CST; t < MIDNIGHT_CST + 86_400_000; t += 127_000) {
      for (const s of city.sensors) {
        const v = engine.value(s.id, t);
        const kind = sensorKind(s.kind);
        if (
          kind === undefined ||
          !Number.isFinite(v) ||
          v < kind.min ||
          v > kind.max ||
          levelFor(kind.thresholds, v) !== "normal"
        ) {
          outOfBand.push(`${s.id}@${t}=${v}`);
        }
      }
    }
    expect(outOfBand.slice(0, 5)).toEqual([]);
  });

  it("is deterministic and independent of evaluation order", () => {
    const id = city.sensors[10]?.id ?? "";
    const other = new SignalEngine({ city, startMs: MIDNIGHT_CST });
    const t = MIDNIGHT_CST + 12_345_678;
    expect(other.value(id, t)).toBe(engine.value(id, t));
  });

  it("follows the daily cycles: water pressure dips at the demand peak, lamps on at night only", () => {
    const wp = city.sensors.find((s) => s.kind === "water_pressure")?.id ?? "";
    const flow = wp.replace(".water_pressure", ".water_flow");
    const at = (h: number) => MIDNIGHT_CST + h * 3_600_000;
    expect(localHour(at(8))).toBeCloseTo(8, 6);
    expect(engine.value(wp, at(8))).toBeLessThan(engine.value(wp, at(3)) - 20);
    expect(engine.value(flow, at(8))).toBeGreaterThan(engine.value(flow, at(3)) * 1.5);
    const lampPower = city.sensors.find((s) => s.key === "lamp_power")?.id ?? "";
    const dimming = lampPower.replace("lamp_power", "lamp_dimming");
    expect(engine.value(lampPower, at(12))).toBe(0);
    expect(engine.value(dimming, at(21))).toBe(100);
    expect(engine.value(dimming, at(2))).toBe(50);
    expect(engine.value(lampPower, at(21))).toBeGreaterThanOrEqual(115);
    expect(engine.value(lampPower, at(21))).toBeLessThanOrEqual(155);
    const noise = city.sensors.find((s) => s.kind === "noise_laeq")?.id ?? "";
    expect(engine.value(noise, at(3))).toBeLessThan(50);
    expect(engine.value(noise, at(18))).toBeGreaterThan(55);
  });
});
