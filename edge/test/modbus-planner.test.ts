import { describe, expect, it } from "vitest";
import { modbusPointSchema } from "../src/config";
import { planReads, resolveModbusPoint, type ResolvedPoint } from "../src/modbus";

let n = 0;
const pt = (p: Record<string, unknown>): ResolvedPoint =>
  resolveModbusPoint(modbusPointSchema.parse({ key: `k${n++}`, ...p }));

const summary = (points: ResolvedPoint[], opts = {}) =>
  planReads(points, opts).map((r) => ({
    fc: r.fc,
    start: r.start,
    count: r.count,
    keys: r.points.map((p) => p.index),
  }));

describe("planReads", () => {
  it("coalesces contiguous registers into one FC3 read, keeping each point's index", () => {
    const points = [
      pt({ address: 102, type: "UINT32" }),
      pt({ address: 100, type: "FLOAT32" }),
      pt({ address: 104 }),
    ];
    expect(summary(points)).toEqual([{ fc: 3, start: 100, count: 5, keys: [0, 2, 4] }]);
  });

  it("splits per table and orders holding, input, coil, discrete", () => {
    const points = [
      pt({ address: "10001", type: "BIT" }),
      pt({ address: "00003", type: "BIT" }),
      pt({ address: "30001" }),
      pt({ address: "40001", type: "FLOAT32" }),
    ];
    expect(summary(points)).toEqual([
      { fc: 3, start: 0, count: 2, keys: [0] },
      { fc: 4, start: 0, count: 1, keys: [0] },
      { fc: 1, start: 2, count: 1, keys: [0] },
      { fc: 2, start: 0, count: 1, keys: [0] },
    ]);
  });

  it("does not bridge gaps by default but does within maxGap", () => {
    const points = [pt({ address: 0 }), pt({ address: 5 })];
    expect(summary(points)).toHaveLength(2);
    expect(summary(points, { maxGap: 4 })).toEqual([{ fc: 3, start: 0, count: 6, keys: [0, 5] }]);
    expect(summary(points, { maxGap: 3 })).toHaveLength(2);
  });

  it("never exceeds 125 registers per read [Modbus AP v1.1b3 §6.3]", () => {
    const points = Array.from({ length: 100 }, (_, i) => pt({ address: i * 2, type: "FLOAT32" }));
    const plan = planReads(points);
    expect(plan.map((r) => [r.start, r.count])).toEqual([
      [0, 124],
      [124, 76],
    ]);
    expect(plan.flatMap((r) => r.points).length).toBe(100);
    for (const r of plan) expect(r.count).toBeLessThanOrEqual(125);
  });

  it("fills exactly 125 registers when points fit", () => {
    const points = Array.from({ length: 126 }, (_, i) => pt({ address: i }));
    expect(planReads(points).map((r) => [r.start, r.count])).toEqual([
      [0, 125],
      [125, 1],
    ]);
  });

  it("never exceeds 2000 bits per coil read [Modbus AP v1.1b3 §6.1]", () => {
    const points = Array.from({ length: 2001 }, (_, i) => pt({ address: i, register: "coil", type: "BIT" }));
    expect(planReads(points).map((r) => [r.fc, r.start, r.count])).toEqual([
      [1, 0, 2000],
      [1, 2000, 1],
    ]);
  });

  it("merges overlapping points (bits of the same register)", () => {
    const points = [
      pt({ address: 10, type: "BIT", bit: 0 }),
      pt({ address: 10, type: "BIT", bit: 3 }),
      pt({ address: 11 }),
    ];
    expect(summary(points)).toEqual([{ fc: 3, start: 10, count: 2, keys: [0, 0, 1] }]);
  });
});
