import { describe, expect, it } from "vitest";
import {
  admit,
  createLevelLatch,
  createReadingClock,
  DROP,
  FRESH,
  rankAgainst,
  REANCHOR_AFTER,
  stepLatch,
} from "../src/detect";

describe("reading clock (order policy shared by all value detectors)", () => {
  it.each([
    { name: "first reading is fresh", ts: [1000], out: [FRESH] },
    { name: "in order gives the step", ts: [1000, 2000, 2500], out: [FRESH, 1000, 500] },
    { name: "duplicate timestamp dropped", ts: [1000, 1000, 2000], out: [FRESH, DROP, 1000] },
    {
      name: "late reading dropped, order resumes",
      ts: [1000, 3000, 2000, 4000],
      out: [FRESH, 2000, DROP, 1000],
    },
    { name: "forward jump is a long step", ts: [1000, 3_601_000], out: [FRESH, 3_600_000] },
    {
      name: "backward clock step re-anchors after REANCHOR_AFTER late readings",
      ts: [100_000, 101_000, 1000, 2000, 3000, 4000],
      out: [FRESH, 1000, DROP, DROP, FRESH, 1000],
    },
    {
      name: "non-finite timestamps dropped",
      ts: [1000, Number.NaN, Number.POSITIVE_INFINITY, 2000],
      out: [FRESH, DROP, DROP, 1000],
    },
  ])("$name", ({ ts, out }) => {
    const clock = createReadingClock();
    expect(ts.map((t) => admit(clock, t))).toEqual(out);
  });

  it("a single late reading between in-order ones never re-anchors", () => {
    const clock = createReadingClock();
    const got: number[] = [];
    for (let k = 0; k < 20; k++) {
      got.push(admit(clock, 10_000 + k * 1000));
      got.push(admit(clock, 5_000)); // one stale replayed reading after each live one
    }
    expect(got.filter((d) => d === FRESH)).toHaveLength(1);
    expect(REANCHOR_AFTER).toBeGreaterThan(1);
  });
});

describe("level arithmetic", () => {
  const high = { direction: "high" as const, blue: 10, yellow: 20, orange: 25, red: 50 };
  const low = { direction: "low" as const, blue: 180, yellow: 160, orange: 140, red: 100 };
  it.each([
    [high, 9.99, 0, 0],
    [high, 10, 0, 1],
    [high, 49.9, 0, 3],
    [high, 50, 0, 4],
    [high, 8.5, 2, 1],
    [high, Number.NaN, 0, 0],
    [low, 181, 0, 0],
    [low, 180, 0, 1],
    [low, 99, 0, 4],
    [low, 184, 5, 1],
    [{ direction: "high" as const, yellow: 35, red: 40 }, 36, 0, 2],
  ])("rankAgainst(%j, %d, relax %d) = %d", (t, x, relax, rank) => {
    expect(rankAgainst(t, x, relax)).toBe(rank);
  });

  it("latch raises at once, lowers only after the hold, and a return cancels the lowering", () => {
    const l = createLevelLatch();
    expect(stepLatch(l, 3, 3, 0, 10_000)).toBe(true);
    expect(l.level).toBe(3);
    expect(stepLatch(l, 0, 0, 1000, 10_000)).toBe(false); // lowering pending
    expect(stepLatch(l, 3, 3, 5000, 10_000)).toBe(false); // back up: cancelled
    expect(stepLatch(l, 1, 1, 6000, 10_000)).toBe(false);
    expect(stepLatch(l, 1, 1, 15_999, 10_000)).toBe(false);
    expect(stepLatch(l, 1, 2, 16_000, 10_000)).toBe(true); // lowers to the hold rank
    expect(l.level).toBe(2);
  });
});
