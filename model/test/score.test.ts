import { describe, expect, it } from "vitest";
import {
  bindScorer,
  contextNovelty,
  DEFAULT_SCORER,
  ewmaZ,
  findScorerPreset,
  robustZ,
  SCORER_PRESETS,
  scoreEnsemble,
  withOnsetLatch,
  type BoundScorer,
  type StreamScorer,
} from "../src/detect/score";

/** Deterministic pseudo-random noise in [−1, 1) (LCG), so tests do not flake. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

const T0 = Date.UTC(2024, 0, 1);
const FIVE_MIN = 300_000;

/** A daily-shaped noisy series: high from 09:00 to 18:00, low otherwise. */
function series(n: number, seed = 1): Array<[number, number]> {
  const r = noise(seed);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const ts = T0 + i * FIVE_MIN;
    const hour = new Date(ts).getUTCHours();
    out.push([ts, (hour >= 9 && hour < 18 ? 80 : 20) + 3 * r()]);
  }
  return out;
}

function runAll(scorer: BoundScorer, data: Array<[number, number]>, state = scorer.init()): number[] {
  return data.map(([ts, v]) => scorer.update(state, ts, v));
}

describe("every preset", () => {
  const data = series(3000);
  data.splice(2000, 0, [data[1999]?.[0] ?? 0, 500]); // one wild spike

  it("has a unique name and includes the default", () => {
    const names = SCORER_PRESETS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(findScorerPreset(DEFAULT_SCORER)).toBeDefined();
  });

  for (const preset of SCORER_PRESETS) {
    it(`${preset.name}: scores in [0, 1], survives a JSON round trip mid-stream, keeps state bounded`, () => {
      const scorer = preset.create();
      const full = runAll(scorer, data);
      expect(full.every((s) => s >= 0 && s <= 1)).toBe(true);
      expect(Math.max(...full)).toBeGreaterThan(0);

      const state = scorer.init();
      const first = runAll(scorer, data.slice(0, 1500), state);
      const bytesMid = JSON.stringify(state).length;
      const resumed = JSON.parse(JSON.stringify(state)) as unknown;
      const rest = runAll(scorer, data.slice(1500), resumed);
      expect([...first, ...rest]).toEqual(full);
      // O(1) state: a second helping of readings does not grow it by more than digits.
      expect(JSON.stringify(resumed).length).toBeLessThan(bytesMid * 1.5 + 100);
    });

    it(`${preset.name}: a non-finite value scores 0 and changes nothing`, () => {
      const scorer = preset.create();
      const state = scorer.init();
      runAll(scorer, data.slice(0, 500), state);
      const before = JSON.stringify(state);
      expect(scorer.update(state, T0, Number.NaN)).toBe(0);
      expect(scorer.update(state, T0, Infinity)).toBe(0);
      expect(JSON.stringify(state)).toBe(before);
    });
  }
});

describe("ewma-z and robust-z", () => {
  for (const scorer of [ewmaZ, robustZ] as Array<StreamScorer<object, unknown>>) {
    it(`${scorer.name}: a spike scores far above the noise around it`, () => {
      const r = noise(7);
      const state = scorer.init({});
      const scores: number[] = [];
      for (let i = 0; i < 1000; i++) scores.push(scorer.update(state, T0 + i * 1000, 10 + r()));
      const spike = scorer.update(state, T0 + 1_000_000, 30);
      const typical = [...scores.slice(100)].sort((a, b) => a - b)[Math.floor(900 * 0.99)] ?? 1;
      expect(spike).toBeGreaterThan(0.9);
      expect(spike).toBeGreaterThan(typical * 2);
    });
  }

  it("robust-z: a burst of outliers hardly moves its baseline, unlike ewma-z", () => {
    const r = noise(3);
    const e = ewmaZ.init({ alpha: 0.05 });
    const b = robustZ.init({ alpha: 0.05 });
    for (let i = 0; i < 500; i++) {
      ewmaZ.update(e, i, 10 + r());
      robustZ.update(b, i, 10 + r());
    }
    for (let i = 0; i < 5; i++) {
      ewmaZ.update(e, 500 + i, 100);
      robustZ.update(b, 500 + i, 100);
    }
    expect(Math.abs(b.level - 10)).toBeLessThan(1.5);
    expect(Math.abs(e.mean - 10)).toBeGreaterThan(15);
  });
});

describe("onset latch", () => {
  it("reports a sustained score once, then again only when it beats the decayed envelope", () => {
    let raw = 0;
    const constant: StreamScorer<object, object> = { name: "c", init: () => ({}), update: () => raw };
    const latched = withOnsetLatch(constant);
    const s = latched.init({ inner: {}, decay: 0.9 });
    raw = 0.8;
    expect(latched.update(s, 0, 1)).toBe(0.8);
    expect(latched.update(s, 1, 1)).toBe(0);
    expect(latched.update(s, 2, 1)).toBe(0);
    raw = 0;
    for (let i = 0; i < 20; i++) latched.update(s, 3 + i, 1); // envelope 0.8·0.9²¹ ≈ 0.09
    raw = 0.5;
    expect(latched.update(s, 30, 1)).toBe(0.5);
  });
});

describe("context novelty", () => {
  it("learns a repeating daily pattern, then flags a level never seen before", () => {
    const state = contextNovelty.init({});
    const data = series(2016); // a week of 5-minute readings
    const scores = data.map(([ts, v]) => contextNovelty.update(state, ts, v));
    const lastDay = scores.slice(-288);
    const novel = contextNovelty.update(state, T0 + 2016 * FIVE_MIN, 200);
    expect(novel).toBeGreaterThan(0.9);
    expect(Math.max(...lastDay)).toBeLessThan(novel / 2);
  });

  it("flags a familiar level at an unfamiliar hour, through its time-of-day fact", () => {
    const surprise = (todSlots: number): number => {
      const state = contextNovelty.init({ todSlots, range: { min: 0, max: 100 } });
      for (const [ts, v] of series(2016)) contextNovelty.update(state, ts, v);
      const t = T0 + 2016 * FIVE_MIN; // midnight: always low so far
      const copy = JSON.parse(JSON.stringify(state)) as typeof state;
      return contextNovelty.update(copy, t, 80) - contextNovelty.update(state, t, 20);
    };
    expect(surprise(24)).toBeGreaterThan(0.2);
    expect(surprise(0)).toBeLessThan(0.1);
  });

  it("uses a configured range as the grid, and rejects an empty one", () => {
    const s = contextNovelty.init({ range: { min: 0, max: 100 }, levels: 10 });
    expect(s.fixedGrid).toBe(true);
    expect(s.width).toBe(10);
    for (let i = 0; i < 1000; i++) contextNovelty.update(s, T0 + i * FIVE_MIN, 50);
    expect(s.anchor).toBe(0);
    expect(s.width).toBe(10);
    expect(() => contextNovelty.init({ range: { min: 5, max: 5 } })).toThrow(/must exceed/);
  });

  it("learns its grid from the warm-up readings only, then freezes it", () => {
    const s = contextNovelty.init({ warmup: 100, margin: 0 });
    for (let i = 0; i < 100; i++) contextNovelty.update(s, T0 + i * FIVE_MIN, i % 2 === 0 ? 0 : 80);
    expect(s.anchor).toBe(0);
    expect(s.width).toBe(10);
    contextNovelty.update(s, T0, 1000);
    expect(s.width).toBe(10);
  });

  it("scores 0 during the quiet start", () => {
    const s = contextNovelty.init({ quiet: 10 });
    const scores = series(11).map(([ts, v]) => contextNovelty.update(s, ts, v));
    expect(scores.slice(0, 10).every((x) => x === 0)).toBe(true);
    expect(scores[10]).toBeGreaterThan(0);
  });
});

describe("ensemble", () => {
  it("combines its members' scores by weighted max or mean", () => {
    const a = bindScorer(ewmaZ, { alpha: 0.1 });
    const b = bindScorer(robustZ, { alpha: 0.02 });
    const data = series(400, 5);
    const sa = runAll(a, data);
    const sb = runAll(b, data);
    const max = scoreEnsemble(
      "m",
      [
        { scorer: a, weight: 1 },
        { scorer: b, weight: 0.5 },
      ],
      "max",
    );
    const mean = scoreEnsemble(
      "m",
      [
        { scorer: a, weight: 1 },
        { scorer: b, weight: 0.5 },
      ],
      "mean",
    );
    const sMax = max.init({});
    const sMean = mean.init({});
    data.forEach(([ts, v], i) => {
      expect(max.update(sMax, ts, v)).toBeCloseTo(Math.max(sa[i] ?? 0, 0.5 * (sb[i] ?? 0)), 12);
      expect(mean.update(sMean, ts, v)).toBeCloseTo(((sa[i] ?? 0) + 0.5 * (sb[i] ?? 0)) / 1.5, 12);
    });
    expect(() => scoreEnsemble("empty", [], "max")).toThrow(/at least one/);
  });
});
