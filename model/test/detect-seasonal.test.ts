import { describe, expect, it } from "vitest";
import { DAY_MS, levelName, seasonalWarm } from "../src/detect";
import { feed, stack } from "./detect-fixtures";

const H = 3_600_000;
/** Midnight China Standard Time (UTC+8), 2025-06-02. */
const MIDNIGHT = Date.UTC(2025, 5, 1, 16);
const STEP = 60_000;

/** Water flow with a morning and an evening peak (m³/h), ±2 % noise. */
function flow(t: number): number {
  const h = ((((t - MIDNIGHT) % DAY_MS) + DAY_MS) % DAY_MS) / H;
  const bump = (c: number, w: number) => Math.exp(-((h - c) ** 2) / (2 * w * w));
  return (100 + 300 * bump(8, 1) + 200 * bump(19, 1.5)) * (1 + 0.02 * Math.sin(t / 7_000));
}

function run(days: number, value: (t: number) => number) {
  const s = stack("water_flow", undefined, STEP);
  const out: { t: number; seasonal: string; baseline: string; expected: number }[] = [];
  for (let t = MIDNIGHT; t < MIDNIGHT + days * DAY_MS; t += STEP) {
    feed(s, [[t, value(t)]]);
    out.push({
      t,
      seasonal: levelName(s.state.seas?.latch.level ?? 0),
      baseline: levelName(s.state.base?.latch.level ?? 0),
      expected: s.state.seas?.expected ?? Number.NaN,
    });
  }
  return { s, out };
}

describe("daily-seasonal baseline (water flow: 24 hourly knots, high, σ ≥ 5 % of expected)", () => {
  it("is silent for the whole first day, then knows the daily shape", () => {
    const { s, out } = run(3, flow);
    expect(out.every((x) => x.seasonal === "normal")).toBe(true);
    expect(s.state.seas && s.config.seasonal && seasonalWarm(s.state.seas, s.config.seasonal)).toBe(true);
    // Day 3 at 08:00 (peak ≈ 400) and 03:00 (night ≈ 100): expected within 10 %.
    const at = (h: number) => out.find((x) => x.t === MIDNIGHT + 2 * DAY_MS + h * H);
    expect(at(8)?.expected).toBeGreaterThan(360);
    expect(at(8)?.expected).toBeLessThan(440);
    expect(at(3)?.expected).toBeGreaterThan(90);
    expect(at(3)?.expected).toBeLessThan(110);
  });

  it("flags a night-time flow that the adaptive baseline follows (slow rise to peak level at 03:00)", () => {
    const night = MIDNIGHT + 2 * DAY_MS + 2 * H;
    const value = (t: number) => flow(t) + (t < night ? 0 : Math.min(300, ((t - night) / (2 * H)) * 300));
    const { out } = run(2 + 5 / 24, value); // until 05:00 on day 3
    const tail = out.filter((x) => x.t >= night + 1.5 * H);
    expect(tail.every((x) => x.baseline === "normal")).toBe(true);
    expect(tail.some((x) => x.seasonal === "orange" || x.seasonal === "red" || x.seasonal === "yellow")).toBe(
      true,
    );
    expect(out.filter((x) => x.t < night).every((x) => x.seasonal === "normal")).toBe(true);
  });

  it("interpolates between knots: the expected value has no step at a bucket boundary", () => {
    const { out } = run(2.5, flow);
    const day3 = out.filter((x) => x.t >= MIDNIGHT + 2 * DAY_MS);
    const maxJump = Math.max(...day3.slice(1).map((x, i) => Math.abs(x.expected - (day3[i]?.expected ?? 0))));
    expect(maxJump).toBeLessThan(15); // per minute, against a signal moving up to ~5 m³/h per minute
  });

  it("a forward clock jump keeps the learned day; a backward one is re-anchored", () => {
    const { s } = run(2, flow);
    const before = [...(s.state.seas?.mean ?? [])];
    const t = MIDNIGHT + 2 * DAY_MS + 6 * H;
    feed(s, [
      [t, flow(t)],
      [t + STEP, flow(t + STEP)],
    ]);
    const after = s.state.seas?.mean ?? [];
    expect(after.length).toBe(24);
    expect(Math.max(...after.map((m, i) => Math.abs(m - (before[i] ?? 0))))).toBeLessThan(20);
    feed(s, [
      [MIDNIGHT, 5000],
      [MIDNIGHT + 1, 5000],
      [MIDNIGHT + 2, 5000],
    ]);
    expect(s.state.clock.lastTs).toBe(MIDNIGHT + 2);
  });

  it("keeps its state small and plain: 24 + 24 numbers plus a few", () => {
    const { s } = run(1, flow);
    const json = JSON.stringify(s.state.seas);
    expect(s.state.seas?.mean).toHaveLength(24);
    expect(json.length).toBeLessThan(1200);
    expect(JSON.parse(json)).toEqual(s.state.seas);
  });
});
