import { describe, expect, it } from "vitest";
import { DETECTOR_BIT, levelName, type ProfileOverride } from "../src/detect";
import { feed, series, stack, type Point } from "./detect-fixtures";

/** The threshold level after each point. */
function levels(kind: string, points: readonly Point[], override?: ProfileOverride): string[] {
  const s = stack(kind, override);
  return points.map((p) => {
    feed(s, [p], "cheap");
    return levelName(s.state.thr.level);
  });
}

const NO_HOLD: ProfileOverride = { threshold: { holdMs: 0 } };

describe("threshold detector (ch4: blue 10, yellow 20, orange 25, red 50 %LEL; hysteresis 2)", () => {
  it.each([
    {
      name: "steps up through every level",
      pts: [
        [0, 5],
        [1000, 12],
        [2000, 22],
        [3000, 30],
        [4000, 55],
      ] as Point[],
      want: ["normal", "blue", "yellow", "orange", "red"],
    },
    {
      name: "jumps straight to red",
      pts: [
        [0, 1],
        [1000, 80],
      ] as Point[],
      want: ["normal", "red"],
    },
    {
      name: "hysteresis: holds orange until the value is below 25 − 2",
      pts: [
        [0, 26],
        [1000, 24],
        [2000, 23.1],
        [3000, 22.9],
      ] as Point[],
      want: ["orange", "orange", "orange", "yellow"],
    },
    {
      name: "clears straight to normal when the value falls below every band",
      pts: [
        [0, 60],
        [1000, 1],
      ] as Point[],
      want: ["red", "normal"],
    },
    {
      name: "NaN (good quality) leaves the level alone",
      pts: [
        [0, 30],
        [1000, Number.NaN],
        [2000, 30],
      ] as Point[],
      want: ["orange", "orange", "orange"],
    },
    {
      name: "bad quality and null values are no readings",
      pts: [
        [0, 30],
        [1000, 1, "bad"],
        [2000, null, "bad"],
        [3000, 1, "stale"],
      ] as Point[],
      want: ["orange", "orange", "orange", "orange"],
    },
    {
      name: "a late reading cannot move the level back in time",
      pts: [
        [10_000, 30],
        [5_000, 1],
        [11_000, 30],
      ] as Point[],
      want: ["orange", "orange", "orange"],
    },
    {
      name: "a duplicate timestamp is ignored",
      pts: [
        [10_000, 30],
        [10_000, 1],
      ] as Point[],
      want: ["orange", "orange"],
    },
    {
      name: "after a backward clock step the new timeline is followed (re-anchored)",
      pts: [
        [100_000, 30],
        [1000, 1],
        [2000, 1],
        [3000, 1],
        [4000, 1],
      ] as Point[],
      want: ["orange", "orange", "orange", "normal", "normal"],
    },
    {
      name: "a gap does not clear a level by itself",
      pts: [
        [0, 30],
        [3_600_000, 30],
      ] as Point[],
      want: ["orange", "orange"],
    },
  ])("$name", ({ pts, want }) => {
    expect(levels("ch4", pts, NO_HOLD)).toEqual(want);
  });

  it("low direction (gas pressure: blue 180 … red 100 kPa, hysteresis 5)", () => {
    const pts: Point[] = [
      [0, 205],
      [1000, 179],
      [2000, 150],
      [3000, 99],
      [4000, 104],
      [5000, 106],
      [6000, 190],
    ];
    expect(levels("gas_pressure", pts, NO_HOLD)).toEqual([
      "normal",
      "blue",
      "yellow",
      "red",
      "red",
      "orange",
      "normal",
    ]);
  });

  it("a signal chattering inside the hysteresis band raises once", () => {
    const s = stack("ch4", NO_HOLD);
    const masks = feed(
      s,
      series(0, 120, 1000, (k) => (k % 2 === 0 ? 25.5 : 23.5)),
      "cheap",
    );
    expect(masks.filter((m) => (m & DETECTOR_BIT.threshold) !== 0)).toHaveLength(1);
    expect(levelName(s.state.thr.level)).toBe("orange");
  });

  it("a signal chattering across the band is held by the off-delay (holdMs)", () => {
    const chatter = series(0, 120, 1000, (k) => (k % 4 < 2 ? 26 : 15));
    const held = stack("ch4", { threshold: { holdMs: 10_000 } });
    const free = stack("ch4", NO_HOLD);
    const changes = (s: ReturnType<typeof stack>) =>
      feed(s, chatter, "cheap").filter((m) => (m & DETECTOR_BIT.threshold) !== 0).length;
    expect(changes(held)).toBe(1);
    expect(changes(free)).toBeGreaterThan(50);
  });

  it("the hold lowers the level once the lower value has persisted holdMs", () => {
    const s = stack("ch4", { threshold: { holdMs: 10_000 } });
    feed(s, [[0, 30]], "cheap");
    const after = series(1000, 15, 1000, () => 1).map((p) => {
      feed(s, [p], "cheap");
      return levelName(s.state.thr.level);
    });
    expect(after.indexOf("normal")).toBe(10); // at t = 11 s, 10 s after the first low reading
  });
});
