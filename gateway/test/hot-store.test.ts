import { describe, expect, it } from "vitest";
import { HotStore } from "../src/hot-store/hot-store";

describe("hot store rings", () => {
  it("keeps the newest `capacity` points in time order", () => {
    const s = new HotStore(2, 4);
    for (let i = 1; i <= 6; i++) s.append(0, i * 1000, i, "good", "normal");
    expect(s.size(0)).toBe(4);
    expect(s.range(0, 0, Infinity)).toEqual([
      [3000, 3, "good"],
      [4000, 4, "good"],
      [5000, 5, "good"],
      [6000, 6, "good"],
    ]);
    expect(s.range(0, 4000, 5000).map((p) => p[0])).toEqual([4000, 5000]);
    expect(s.oldestTs(0)).toBe(3000);
    expect(s.size(1)).toBe(0);
    expect(s.latest(1)).toBeUndefined();
  });

  it("stores null as null with its quality and tracks latest by source time", () => {
    const s = new HotStore(1, 8);
    s.append(0, 2000, 30, "good", "orange");
    s.append(0, 3000, null, "bad", "normal");
    expect(s.latest(0)).toEqual({ ts: 3000, value: null, quality: "bad", level: "normal" });
    s.append(0, 1000, 5, "uncertain", "blue"); // late replay of older data
    expect(s.latest(0)).toEqual({ ts: 3000, value: null, quality: "bad", level: "normal" });
    expect(s.range(0, 0, 5000)).toEqual([
      [1000, 5, "uncertain"],
      [2000, 30, "good"],
      [3000, null, "bad"],
    ]);
  });
});
