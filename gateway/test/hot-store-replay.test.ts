/** Hot store replay: newest point at or before t, the level per point, and hotFrom. */
import { describe, expect, it } from "vitest";
import { HotStore } from "../src/hot-store/hot-store";

describe("hot store atOrBefore", () => {
  it("finds the newest point at or before t in an in-order ring, across the wrap", () => {
    const s = new HotStore(2, 4);
    for (let i = 1; i <= 6; i++) s.append(0, i * 1000, i, "good", i === 5 ? "red" : "normal");
    // Held: 3000..6000 (1000 and 2000 were overwritten).
    expect(s.atOrBefore(0, 2999)).toBeUndefined();
    expect(s.atOrBefore(0, 3000)).toEqual({ ts: 3000, value: 3, quality: "good", level: "normal" });
    expect(s.atOrBefore(0, 5500)).toEqual({ ts: 5000, value: 5, quality: "good", level: "red" });
    expect(s.atOrBefore(0, 1e15)).toEqual({ ts: 6000, value: 6, quality: "good", level: "normal" });
    expect(s.atOrBefore(1, 1e15)).toBeUndefined();
  });

  it("keeps quality, null and level of each point, not just of the latest", () => {
    const s = new HotStore(1, 8);
    s.append(0, 1000, 30, "good", "orange");
    s.append(0, 2000, null, "bad", "normal");
    s.append(0, 3000, 55, "uncertain", "red");
    expect(s.atOrBefore(0, 1500)).toEqual({ ts: 1000, value: 30, quality: "good", level: "orange" });
    expect(s.atOrBefore(0, 2000)).toEqual({ ts: 2000, value: null, quality: "bad", level: "normal" });
    expect(s.atOrBefore(0, 2999)?.level).toBe("normal");
    expect(s.atOrBefore(0, 3000)?.level).toBe("red");
  });

  it("stays correct with out-of-order points, and binary search resumes once they leave the ring", () => {
    const s = new HotStore(1, 4);
    s.append(0, 1000, 1, "good", "normal");
    s.append(0, 4000, 4, "good", "yellow");
    s.append(0, 2000, 2, "good", "blue"); // late
    s.append(0, 3000, 3, "good", "orange");
    expect(s.atOrBefore(0, 2500)).toMatchObject({ ts: 2000, level: "blue" });
    expect(s.atOrBefore(0, 3999)).toMatchObject({ ts: 3000, level: "orange" });
    expect(s.atOrBefore(0, 4000)).toMatchObject({ ts: 4000, level: "yellow" });
    expect(s.atOrBefore(0, 999)).toBeUndefined();
    expect(s.oldestTs(0)).toBe(1000);
    // Equal timestamps: the later appended point wins.
    s.append(0, 3000, 33, "good", "red");
    expect(s.atOrBefore(0, 3500)).toMatchObject({ ts: 3000, value: 33, level: "red" });
    // Push the disordered pair out: 5000..8000 are in order again.
    for (let t = 5000; t <= 8000; t += 1000) s.append(0, t, t / 1000, "good", "normal");
    expect(s.oldestTs(0)).toBe(5000);
    expect(s.atOrBefore(0, 6500)).toMatchObject({ ts: 6000, value: 6 });
    expect(s.atOrBefore(0, 4999)).toBeUndefined();
  });

  it("agrees with a brute-force search on random, partly out-of-order input", () => {
    const s = new HotStore(1, 16);
    const all: [number, number][] = [];
    let t = 0;
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 200; i++) {
      t += 100;
      const ts = rand() < 0.1 ? t - Math.floor(rand() * 1000) : t;
      s.append(0, ts, i, "good", "normal");
      all.push([ts, i]);
      const held = all.slice(-16);
      const probe = t - Math.floor(rand() * 1600);
      let want: [number, number] | undefined;
      for (const p of held) if (p[0] <= probe && (want === undefined || p[0] >= want[0])) want = p;
      const got = s.atOrBefore(0, probe);
      expect(got === undefined ? undefined : [got.ts, got.value]).toEqual(want);
    }
  });

  it("hotFrom is the latest per-sensor oldest timestamp over sensors with data", () => {
    const s = new HotStore(3, 2);
    expect(s.hotFrom()).toBeUndefined();
    s.append(0, 1000, 1, "good", "normal");
    s.append(1, 5000, 1, "good", "normal");
    expect(s.hotFrom()).toBe(5000);
    s.append(0, 2000, 1, "good", "normal");
    s.append(0, 9000, 1, "good", "normal"); // ring of 2: 1000 is gone, oldest 2000
    expect(s.hotFrom()).toBe(5000);
    s.append(1, 6000, 1, "good", "normal");
    s.append(1, 7000, 1, "good", "normal"); // oldest 6000
    expect(s.hotFrom()).toBe(6000);
  });
});
