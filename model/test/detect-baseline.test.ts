import { describe, expect, it } from "vitest";
import { levelName, type ProfileOverride } from "../src/detect";
import { feed, series, stack, type Point } from "./detect-fixtures";

const MIN = 60_000;
/** 10 minutes of water pressure around 300 kPa with ±2 kPa noise (past the 5 min warm-up). */
const warm = (t0 = 0): Point[] => series(t0, 600, 1000, (k) => 300 + 2 * Math.sin(k * 2.1));

function run(pts: readonly Point[], override?: ProfileOverride) {
  const s = stack("water_pressure", override);
  const levels = pts.map((p) => {
    feed(s, [p]);
    return levelName(s.state.base?.latch.level ?? 0);
  });
  return { s, levels, last: levels[levels.length - 1] };
}

describe("adaptive baseline (water pressure: low, σ ≥ 5 kPa, blue 6σ, yellow 10σ, orange 20σ)", () => {
  it("is silent during warm-up even for a large step", () => {
    const { levels } = run(series(0, 200, 1000, (k) => (k < 100 ? 300 : 150)));
    expect(levels.every((l) => l === "normal")).toBe(true);
  });

  it.each([
    { name: "−25 kPa (5σ) stays normal", to: 275, want: "normal" },
    { name: "−31 kPa (6σ) is blue", to: 269, want: "blue" },
    { name: "−55 kPa (11σ) is yellow", to: 245, want: "yellow" },
    { name: "−110 kPa (22σ) is orange", to: 190, want: "orange" },
    { name: "+110 kPa is the wrong direction for a pressure baseline", to: 410, want: "normal" },
  ])("$name", ({ to, want }) => {
    expect(run([...warm(), ...series(600_000, 5, 1000, () => to)]).last).toBe(want);
  });

  it("'both' directions scores rises too", () => {
    const both: ProfileOverride = { baseline: { direction: "both" } };
    expect(run([...warm(), ...series(600_000, 5, 1000, () => 410)], both).last).toBe("orange");
  });

  it("an incident does not teach the baseline (outliers beyond 4σ are not learned)", () => {
    const { s, last } = run([...warm(), ...series(600_000, 20 * 60, 1000, () => 245)]);
    expect(last).toBe("yellow");
    expect(s.state.base?.mean).toBeCloseTo(300, 0);
  });

  it("outliers persisting an hour become the new normal", () => {
    const { s, levels } = run([...warm(), ...series(600_000, 3 * 3600, 1000, () => 245)]);
    expect(levels[600 + 50 * 60]).toBe("yellow");
    expect(levels[levels.length - 1]).toBe("normal");
    expect(s.state.base?.mean).toBeCloseTo(245, 0);
  });

  it("a single spike raises and clears after the hold; the mean does not move", () => {
    const { s, levels } = run([...warm(), [600_000, 200], ...series(601_000, 30, 1000, () => 300)]);
    expect(levels[600]).toBe("orange");
    expect(levels[levels.length - 1]).toBe("normal");
    expect(s.state.base?.mean).toBeCloseTo(300, 0);
  });

  it("follows a slow daily-like ramp (45 kPa/h) without a warning", () => {
    const { levels } = run(series(0, 2 * 3600, 1000, (k) => 330 - (45 * k) / 3600 + 2 * Math.sin(k * 2.1)));
    expect(levels.every((l) => l === "normal")).toBe(true);
  });

  it("uncertain readings are scored but not learned", () => {
    const s = stack("water_pressure");
    feed(s, warm());
    const n = s.state.base?.n;
    const mean = s.state.base?.mean;
    feed(
      s,
      series(600_000, 60, 1000, () => 270).map(([t, v]) => [t, v, "uncertain"] as const),
    );
    expect(s.state.base?.n).toBe(n);
    expect(s.state.base?.mean).toBe(mean);
    expect(levelName(s.state.base?.latch.level ?? 0)).toBe("blue");
  });

  it("NaN, bad quality, late and duplicate readings change nothing", () => {
    const s = stack("water_pressure");
    feed(s, warm());
    const before = JSON.stringify(s.state.base);
    feed(s, [
      [600_000, Number.NaN],
      [600_000, null, "bad"],
      [100_000, 1],
      [599_000, 1],
    ]);
    expect(JSON.stringify(s.state.base)).toBe(before);
  });

  it("a gap over 30 min restarts the warm-up and clears the level", () => {
    const pts = [
      ...warm(),
      ...series(600_000, 5, 1000, () => 190),
      ...series(600_000 + 45 * MIN, 60, 1000, () => 150),
    ];
    const { s, levels } = run(pts);
    expect(levels[604]).toBe("orange");
    expect(levels.slice(605).every((l) => l === "normal")).toBe(true);
    expect(s.state.base?.n).toBe(60);
  });
});
