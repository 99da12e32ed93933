import { describe, expect, it } from "vitest";
import { HotStore, hotStoreCapacity } from "../src/hot-store/hot-store";

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

  it("grows a ring as points arrive and keeps order through growth and wrap-around", () => {
    const s = new HotStore(1, 20);
    const levels = ["normal", "blue", "yellow", "orange", "red"] as const;
    const qualities = ["good", "uncertain", "bad"] as const;
    for (let i = 1; i <= 53; i++) {
      s.append(0, i * 1000, i % 9 === 0 ? null : i / 4, qualities[i % 3]!, levels[i % 5]!);
      const want = Math.min(i, 20);
      expect(s.size(0)).toBe(want);
      expect(s.range(0, 0, Infinity).map((p) => p[0])).toEqual(
        Array.from({ length: want }, (_, k) => (i - want + 1 + k) * 1000),
      );
    }
    expect(s.range(0, 45_000, 45_000)).toEqual([[45_000, null, "good"]]);
    expect(s.atOrBefore(0, 52_500)).toEqual({ ts: 52_000, value: 13, quality: "uncertain", level: "yellow" });
    expect(s.atOrBefore(0, 33_000)).toBeUndefined(); // older than the 20 points held
  });

  it("finds points in a ring that grew while holding a late point", () => {
    const s = new HotStore(1, 64);
    for (const ts of [1, 2, 3, 4, 5, 6, 7, 8]) s.append(0, ts * 1000, ts, "good", "normal");
    s.append(0, 2500, 99, "good", "red"); // late, lands as the 9th point: the ring grows first
    expect(s.atOrBefore(0, 2700)).toEqual({ ts: 2500, value: 99, quality: "good", level: "red" });
    expect(s.oldestTs(0)).toBe(1000);
    expect(s.range(0, 2000, 3000).map((p) => p[1])).toEqual([2, 99, 3]);
  });

  it("caps the points per sensor to fit the memory budget", () => {
    expect(hotStoreCapacity(100, 720, 1024)).toBe(720);
    // 1M sensors in 1 GiB at 24 bytes a point: 44 points each.
    expect(hotStoreCapacity(1_000_000, 720, 1024)).toBe(44);
    expect(hotStoreCapacity(100_000_000, 720, 16)).toBe(2);
  });
});
