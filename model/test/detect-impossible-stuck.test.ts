import { describe, expect, it } from "vitest";
import { DETECTOR_BIT, levelName, READING_ACCEPTED } from "../src/detect";
import { feed, series, stack, type Point } from "./detect-fixtures";

describe("impossible detector (ch4 range 0..100 %LEL; raises yellow; clears after 3 valid)", () => {
  const trace = (pts: readonly Point[]) => {
    const s = stack("ch4");
    return pts.map((p) => {
      const mask = feed(s, [p], "cheap")[0] ?? 0;
      return `${levelName(s.state.imp.level)}${(mask & READING_ACCEPTED) !== 0 ? "+" : ""}`;
    });
  };
  it.each([
    {
      name: "in range is accepted",
      pts: [
        [0, 0],
        [1000, 100],
      ],
      want: ["normal+", "normal+"],
    },
    {
      name: "below min / above max",
      pts: [
        [0, -0.1],
        [1000, 100.1],
      ],
      want: ["yellow", "yellow"],
    },
    { name: "NaN with good quality", pts: [[0, Number.NaN]], want: ["yellow"] },
    { name: "Infinity with good quality", pts: [[0, Number.POSITIVE_INFINITY]], want: ["yellow"] },
    { name: "null with good quality", pts: [[0, null, "good"]], want: ["yellow"] },
    { name: "null with bad quality is just no value", pts: [[0, null, "bad"]], want: ["normal"] },
    { name: "NaN with uncertain quality is no value", pts: [[0, Number.NaN, "uncertain"]], want: ["normal"] },
    {
      name: "out of range with uncertain quality is still impossible",
      pts: [[0, 140, "uncertain"]],
      want: ["yellow"],
    },
    {
      name: "clears after three valid readings in a row",
      pts: [
        [0, -5],
        [1000, 1],
        [2000, 1],
        [3000, 1],
      ],
      want: ["yellow", "yellow+", "yellow+", "normal+"],
    },
    {
      name: "flapping between garbage and sense stays raised",
      pts: [
        [0, -5],
        [1000, 1],
        [2000, 1],
        [3000, -5],
        [4000, 1],
        [5000, 1],
      ],
      want: ["yellow", "yellow+", "yellow+", "yellow", "yellow+", "yellow+"],
    },
    {
      name: "a late impossible reading is dropped",
      pts: [
        [5000, 1],
        [4000, -5],
      ],
      want: ["normal+", "normal"],
    },
  ] as { name: string; pts: Point[]; want: string[] }[])("$name", ({ pts, want }) => {
    expect(trace(pts)).toEqual(want);
  });

  it("an impossible value never reaches the value detectors", () => {
    const s = stack("ch4");
    feed(s, [[0, 150]]);
    expect(s.state.thr.level).toBe(0);
    expect(s.state.rate?.count).toBe(0);
  });
});

describe("stuck detector", () => {
  /** Level after each reading, for a kind whose stuck run is `n` readings and ≥ 5 s. */
  const run = (kind: string, pts: readonly Point[]) => {
    const s = stack(kind);
    return pts.map((p) => {
      feed(s, [p]);
      return levelName(s.state.stuck?.latch.level ?? 0);
    });
  };
  const noisy = (k: number) => 200 + Math.sin(k * 1.7) * 0.5;

  it("water pressure (8 readings): a frozen value raises blue on the 8th identical reading", () => {
    const pts = [...series(0, 5, 1000, noisy), ...series(5000, 10, 1000, () => 201.25)];
    const got = run("water_pressure", pts);
    expect(got.slice(0, 12).every((l) => l === "normal")).toBe(true);
    expect(got[12]).toBe("blue"); // readings 5..12 = 8 identical ones
  });

  it("gas pressure needs 15 identical readings (its 0.1 kPa resolution repeats by chance)", () => {
    const got = run(
      "gas_pressure",
      series(0, 16, 1000, () => 201),
    );
    expect(got.indexOf("blue")).toBe(14);
  });

  it("moving again clears at once", () => {
    const got = run("water_pressure", [...series(0, 10, 1000, () => 300), [10_000, 301]]);
    expect(got[8]).toBe("blue");
    expect(got[10]).toBe("normal");
  });

  it.each([
    { name: "noise never looks stuck", pts: series(0, 600, 1000, noisy), stuck: false },
    { name: "duplicate timestamps do not count as readings", pts: series(0, 20, 0, () => 5), stuck: false },
    {
      name: "late readings do not count (6 live + 6 interleaved late ones < 8)",
      pts: series(1000, 6, 1000, () => 5).flatMap((p) => [p, [500, 5]]) as Point[],
      stuck: false,
    },
    {
      name: "…while 8 live ones do",
      pts: series(1000, 8, 1000, () => 5).flatMap((p) => [p, [500, 5]]) as Point[],
      stuck: true,
    },
    {
      name: "a gap restarts the run",
      pts: [...series(0, 5, 1000, () => 5), ...series(3_600_000, 5, 1000, () => 5)] as Point[],
      stuck: false,
    },
    {
      name: "readings too fast for afterMs (8 in 0.8 s) are not yet stuck",
      pts: series(0, 9, 100, () => 5),
      stuck: false,
    },
  ] as { name: string; pts: Point[]; stuck: boolean }[])("$name", ({ pts, stuck }) => {
    expect(run("water_pressure", pts).includes("blue")).toBe(stuck);
  });

  it("methane resting at 0 %LEL is not stuck; frozen at 0.8 %LEL is", () => {
    expect(
      run(
        "ch4",
        series(0, 60, 1000, () => 0),
      ).includes("blue"),
    ).toBe(false);
    expect(
      run(
        "ch4",
        series(0, 60, 1000, () => 0.8),
      ).includes("blue"),
    ).toBe(true);
  });

  it("epsilon widens 'unchanged' to a flickering last digit", () => {
    const flicker = series(0, 30, 1000, (k) => 300 + (k % 2) * 0.01);
    expect(run("water_pressure", flicker).includes("blue")).toBe(false);
    const s = stack("water_pressure", { stuck: { epsilon: 0.02 } });
    expect(feed(s, flicker).some((m) => (m & DETECTOR_BIT.stuck) !== 0)).toBe(true);
  });
});
