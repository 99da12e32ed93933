import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadNabCorpus, parseNabTime } from "../bench/detect/nab/corpus";
import {
  optimiseThreshold,
  planSweep,
  probationLength,
  scaledSigmoid,
  scoreProfile,
  type LabelledSeries,
} from "../bench/detect/nab/nab-scorer";

const STANDARD = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const LOW_FN = { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 };
/** NAB's scaled sigmoid written out independently: 2·sigmoid(−5x) − 1. */
const sig = (x: number): number => 2 / (1 + Math.exp(5 * x)) - 1;
const MAX_TP = sig(-1);

/** One 100-row file (probation 15 rows) with one window over rows 40..49 (width 10). */
const FILE: LabelledSeries = { name: "f.csv", rows: 100, windows: [[40, 49]] };

function scoresWith(rows: number, hits: Record<number, number>): Float64Array {
  const s = new Float64Array(rows);
  for (const [i, v] of Object.entries(hits)) s[Number(i)] = v;
  return s;
}

describe("NAB scoring primitives", () => {
  it("scaled sigmoid: +0.98661 at the window start, 0 at its end, −1 beyond 3 widths", () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3.01)).toBe(-1);
  });
  it("probation is 15 % of the rows, at most 750", () => {
    expect(probationLength(100)).toBe(15);
    expect(probationLength(4032)).toBe(604);
    expect(probationLength(22695)).toBe(750);
  });
});

describe("corpus score at the optimised threshold", () => {
  const plan = planSweep([FILE]);

  it("a detection on the window's first row earns the full tpWeight → 100", () => {
    const r = scoreProfile(plan, scoresWith(100, { 40: 1 }), STANDARD);
    expect(r.raw).toBeCloseTo(1, 12);
    expect(r.nullRaw).toBe(-1);
    expect(r.normalised).toBeCloseTo(100, 9);
  });

  it("a later detection earns less along the sigmoid: row 45 is at −(49−45+1)/10 = −0.5", () => {
    const r = scoreProfile(plan, scoresWith(100, { 45: 1 }), STANDARD);
    expect(r.raw).toBeCloseTo(sig(-0.5) / MAX_TP, 12);
    expect(r.normalised).toBeCloseTo((100 * (sig(-0.5) / MAX_TP + 1)) / 2, 9);
  });

  it("only the earliest detection in a window counts, whatever the scores' order", () => {
    const r = optimiseThreshold(plan, scoresWith(100, { 44: 0.6, 48: 0.9 }), STANDARD);
    expect(r.threshold).toBe(0.6);
    expect(r.raw).toBeCloseTo(sig(-(49 - 44 + 1) / 10) / MAX_TP, 12);
    expect(r.tp).toBe(1);
  });

  it("a false positive before any window costs fpWeight; one after it costs by distance", () => {
    const before = optimiseThreshold(plan, scoresWith(100, { 20: 1, 40: 1 }), STANDARD);
    expect(before.raw).toBeCloseTo(1 - 0.11, 12);
    const after = optimiseThreshold(plan, scoresWith(100, { 40: 1, 54: 1 }), STANDARD);
    expect(after.raw).toBeCloseTo(1 + 0.11 * sig(5 / 9), 12);
    const far = optimiseThreshold(plan, scoresWith(100, { 40: 1, 90: 1 }), STANDARD);
    expect(far.raw).toBeCloseTo(1 - 0.11, 12);
    expect(far.fp).toBe(1);
  });

  it("ignores detections in the probationary period", () => {
    const r = optimiseThreshold(plan, scoresWith(100, { 5: 1, 40: 1 }), STANDARD);
    expect(r.raw).toBeCloseTo(1, 12);
    expect(r.fp).toBe(0);
  });

  it("picks the threshold that leaves out costly false positives", () => {
    // FPs scored 0.9 (three of them, −0.33) vs a TP scored 0.5 (+2 over the miss).
    const r = optimiseThreshold(plan, scoresWith(100, { 20: 0.9, 21: 0.9, 22: 0.9, 42: 0.5 }), STANDARD);
    expect(r.threshold).toBe(0.5);
    expect(r.raw).toBeCloseTo(sig(-0.8) / MAX_TP - 0.33, 12);
    // With only FPs above the TP-less baseline, firing never pays: the null threshold wins.
    const none = optimiseThreshold(plan, scoresWith(100, { 20: 0.9 }), STANDARD);
    expect(none.raw).toBe(-1);
    expect(none.threshold).toBe(Infinity);
  });

  it("a missed window costs fnWeight: the low-FN profile's null score is −2 per window", () => {
    const r = scoreProfile(plan, scoresWith(100, { 40: 1 }), LOW_FN);
    expect(r.nullRaw).toBe(-2);
    expect(r.normalised).toBeCloseTo(100, 9);
  });

  it("sums files and windows across the corpus", () => {
    const second: LabelledSeries = { name: "g.csv", rows: 200, windows: [[100, 119]] };
    const both = planSweep([FILE, second]);
    const s = new Float64Array(300);
    s[40] = 1; // first file, window start
    s[100 + 110] = 1; // second file, row 110 of window 100..119 → position −10/20
    const r = scoreProfile(both, s, STANDARD);
    expect(r.raw).toBeCloseTo(1 + sig(-0.5) / MAX_TP, 12);
    expect(r.nullRaw).toBe(-2);
  });
});

describe("loadNabCorpus", () => {
  it("maps window timestamps (with NAB's .000000 suffix) onto inclusive row ranges", () => {
    const dir = mkdtempSync(join(tmpdir(), "nab-"));
    mkdirSync(join(dir, "data", "cat"), { recursive: true });
    const lines = ["timestamp,value"];
    for (let i = 0; i < 10; i++) lines.push(`2020-01-01 00:${String(i * 5).padStart(2, "0")}:00,${i}`);
    writeFileSync(join(dir, "data", "cat", "a.csv"), `${lines.join("\r\n")}\r\n`);
    const windows = { "cat/a.csv": [["2020-01-01 00:10:00.000000", "2020-01-01 00:25:00.000000"]] };
    writeFileSync(join(dir, "combined_windows.json"), JSON.stringify(windows));
    const cm = (fp: number, fn: number) => ({
      CostMatrix: { tpWeight: 1, fpWeight: fp, fnWeight: fn, tnWeight: 1 },
    });
    const profiles = {
      standard: cm(0.11, 1),
      reward_low_FP_rate: cm(0.22, 1),
      reward_low_FN_rate: cm(0.11, 2),
    };
    writeFileSync(join(dir, "profiles.json"), JSON.stringify(profiles));
    const corpus = loadNabCorpus(dir);
    expect(corpus.files).toHaveLength(1);
    expect(corpus.files[0]?.rows).toBe(10);
    expect(corpus.files[0]?.windows).toEqual([[2, 5]]);
    expect(corpus.files[0]?.values[9]).toBe(9);
    expect(corpus.profiles.reward_low_FN_rate.fnWeight).toBe(2);
    expect(parseNabTime("2020-01-01 00:10:00.000000")).toBe(Date.UTC(2020, 0, 1, 0, 10));
  });
});
