import { describe, expect, it } from "vitest";
import { DETECTOR_BIT, levelName, resolveRate, type RateProfile } from "../src/detect";
import { feed, series, stack, type Point } from "./detect-fixtures";

/** Rate (unit/min) and level after each point. */
function rates(kind: string, pts: readonly Point[], intervalMs = 1000) {
  const s = stack(kind, undefined, intervalMs);
  return pts.map((p) => {
    feed(s, [p]);
    return { rate: s.state.rate?.rate ?? Number.NaN, level: levelName(s.state.rate?.latch.level ?? 0) };
  });
}

describe("rate detector (water level: blue 0.3, yellow 0.6, orange 1.2, red 2.4 m/min; 10 s window)", () => {
  it("a steady rise of 0.6 m/min reads 0.6 once the window spans 8 s, and raises yellow", () => {
    const r = rates(
      "water_level",
      series(0, 20, 1000, (k) => 0.4 + 0.01 * k),
    );
    expect(r.slice(0, 8).every((x) => x.rate === 0)).toBe(true); // span < minSpanMs
    for (const x of r.slice(8)) expect(x.rate).toBeCloseTo(0.6, 6);
    expect(r[8]?.level).toBe("yellow");
  });

  it("noise (±4 mm per reading) stays normal", () => {
    const r = rates(
      "water_level",
      series(0, 600, 1000, (k) => 0.42 + 0.004 * Math.sin(k * 2.3)),
    );
    expect(r.every((x) => x.level === "normal")).toBe(true);
    expect(Math.max(...r.map((x) => Math.abs(x.rate)))).toBeLessThan(0.1);
  });

  it("falls are negative (gas pressure −60 kPa/min is orange)", () => {
    const r = rates(
      "gas_pressure",
      series(0, 15, 1000, (k) => 205 - k),
    );
    expect(r[14]?.rate).toBeCloseTo(-60, 6);
    expect(r[14]?.level).toBe("orange");
  });

  it.each([
    { name: "a gap longer than the window restarts it", gapMs: 60_000 },
    { name: "a forward clock jump restarts it", gapMs: 3_600_000 },
  ])("$name", ({ gapMs }) => {
    const before = series(0, 12, 1000, (k) => 0.4 + 0.001 * k);
    const after = series(11_000 + gapMs, 3, 1000, () => 3.0); // +2.6 m across the gap
    const r = rates("water_level", [...before, ...after]);
    expect(r.slice(12).every((x) => x.rate === 0 && x.level === "normal")).toBe(true);
  });

  it("a backward clock step restarts the window once re-anchored", () => {
    const before = series(100_000, 12, 1000, (k) => 0.4 + 0.01 * k);
    const r = rates("water_level", [...before, ...series(0, 4, 1000, () => 0.2)]);
    const last = r[11]?.rate;
    expect(last).toBeCloseTo(0.6, 6);
    // Two late readings are dropped (rate unchanged); the third re-anchors (window restarts).
    expect(r.slice(12).map((x) => x.rate)).toEqual([last, last, 0, 0]);
  });

  it("duplicate and late readings leave the rate as it is", () => {
    const s = stack("water_level");
    feed(
      s,
      series(0, 12, 1000, (k) => 0.4 + 0.01 * k),
    );
    const rate = s.state.rate?.rate;
    feed(s, [
      [11_000, 9],
      [3_000, 9],
    ]);
    expect(s.state.rate?.rate).toBe(rate);
  });

  it("holds the level 60 s after the rise stops (off-delay), then clears", () => {
    const rise = series(0, 15, 1000, (k) => 0.4 + 0.02 * k); // 1.2 m/min
    const flat = series(15_000, 90, 1000, () => 0.68);
    const r = rates("water_level", [...rise, ...flat]);
    const clearedAt = r.findIndex((x, i) => i >= 15 && x.level === "normal");
    // The window empties ~10 s after the rise; the level holds 60 s more.
    expect(clearedAt).toBeGreaterThanOrEqual(15 + 60);
    expect(clearedAt).toBeLessThanOrEqual(15 + 75);
  });

  it("a fluctuating signal is raised once and held rather than chattering", () => {
    const s = stack("water_level");
    const pts = series(0, 600, 1000, (k) => 2 + 0.3 * Math.sin((2 * Math.PI * k) / 20));
    const changes = feed(s, pts).filter((m) => (m & DETECTOR_BIT.rate) !== 0).length;
    expect(changes).toBeGreaterThan(0);
    expect(changes).toBeLessThanOrEqual(4); // the levels climb once; none clear while it swings
  });

  it("fluctuation: mean |step| between readings separates a still signal from a fluctuating one", () => {
    const still = stack("ch4");
    const moving = stack("ch4");
    feed(
      still,
      series(0, 120, 1000, (k) => 12 + 0.05 * Math.sin(k)),
    );
    feed(
      moving,
      series(0, 120, 1000, (k) => 40 + 6 * Math.sin(k * 1.3)),
    );
    expect(still.state.rate?.fluct).toBeLessThan(0.1);
    expect(moving.state.rate?.fluct).toBeGreaterThan(3);
  });

  it("slow sensors get a window of at least 4 readings", () => {
    const p: RateProfile = {
      windowMs: 10_000,
      minSpanMs: 8_000,
      hysteresis: 0,
      holdMs: 0,
      fluctuationHalfLifeMs: 10_000,
    };
    expect(resolveRate(p, 5000).windowMs).toBe(20_000);
    expect(resolveRate(p, 1000).windowMs).toBe(10_000);
    const r = rates(
      "water_level",
      series(0, 8, 5000, (k) => 0.4 + 0.05 * k),
      5000,
    );
    expect(r[7]?.rate).toBeCloseTo(0.6, 6);
  });
});
