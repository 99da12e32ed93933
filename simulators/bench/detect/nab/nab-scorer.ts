/**
 * The NAB scorer (Numenta Anomaly Benchmark v1.1), written from its description in
 * ../shared/data/README.md and from the facts of NAB's own scorer (nab/sweeper.py,
 * nab/runner.py, nab/util.py in numenta/NAB):
 *
 *  - Probationary period: the first min(floor(0.15·rows), 0.15·5000 = 750) rows of each file
 *    are not scored at all (`getProbationPeriod`).
 *  - A row is a detection when its anomaly score is ≥ the threshold.
 *  - Inside a window [left, right] (row indices, inclusive, width w = right − left + 1) a
 *    detection at row i is worth tpWeight · σ(−(right − i + 1)/w) / σ(−1), where
 *    σ(x) = 2/(1 + e^{5x}) − 1 is NAB's scaled sigmoid (so the window's first row earns
 *    exactly tpWeight). Only the earliest detection in a window counts; a window without
 *    one costs −fnWeight.
 *  - Outside windows a detection is a false positive worth fpWeight · σ(|i − r|/(w − 1)),
 *    where r and w are the right edge and width of the latest window that ended before i,
 *    or −fpWeight when no window has ended yet. (σ > 3 is clamped to −1.)
 *  - The threshold is optimised per profile over the whole corpus (every distinct score is
 *    tried), and the corpus score at that threshold is the sum over files.
 *  - Normalised score = 100·(raw − null)/(perfect − null), where perfect = tpWeight × number
 *    of labelled windows and null is the score of the null detector (never fires).
 */

export interface CostProfile {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** One labelled file: its length and anomaly windows as inclusive row-index ranges. */
export interface LabelledSeries {
  name: string;
  rows: number;
  windows: ReadonlyArray<readonly [number, number]>;
}

/** NAB's scaled sigmoid of a relative position (−1 = window start, 0 = window end). */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

/** Rows excluded from scoring at the start of a file (NAB util.getProbationPeriod). */
export function probationLength(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
}

/**
 * Per-row scoring facts that do not depend on the detector: for each scorable row the
 * global window id it falls in (−1 outside windows) and its unweighted sweep value (the
 * TP factor inside a window, the FP factor outside). Probationary rows are marked −2.
 */
export interface SweepPlan {
  /** Window id per row over the concatenated corpus; −1 outside, −2 probationary. */
  windowOf: Int32Array;
  /** Unweighted value per row: TP factor in (0, 1] inside windows, FP factor in [−1, 0) outside. */
  factor: Float64Array;
  /** Number of windows that have at least one scorable row. */
  windowCount: number;
  /** Number of labelled windows (NAB's "perfect" is tpWeight × this). */
  labelledWindows: number;
  /** Row offset of each file in the concatenated corpus. */
  offsets: number[];
}

export function planSweep(corpus: readonly LabelledSeries[]): SweepPlan {
  const total = corpus.reduce((n, f) => n + f.rows, 0);
  const windowOf = new Int32Array(total);
  const factor = new Float64Array(total);
  const offsets: number[] = [];
  const maxTp = scaledSigmoid(-1);
  let windowCount = 0;
  let labelledWindows = 0;
  let base = 0;
  for (const file of corpus) {
    offsets.push(base);
    labelledWindows += file.windows.length;
    const probation = probationLength(file.rows);
    const idOfWindow = file.windows.map(() => -1);
    let next = 0; // index of the next window not yet entered
    let prevRight = -1;
    let prevWidth = 0;
    for (let i = 0; i < file.rows; i++) {
      const w = file.windows[next];
      let inWindow = -1;
      if (w !== undefined && i >= w[0] && i <= w[1]) inWindow = next;
      let f: number;
      if (inWindow >= 0 && w !== undefined) {
        const width = w[1] - w[0] + 1;
        f = scaledSigmoid(-(w[1] - i + 1) / width) / maxTp;
      } else if (prevRight < 0) {
        f = -1;
      } else {
        f = scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1));
      }
      if (i < probation) {
        windowOf[base + i] = -2;
      } else if (inWindow >= 0) {
        if (idOfWindow[inWindow] === -1) idOfWindow[inWindow] = windowCount++;
        windowOf[base + i] = idOfWindow[inWindow] ?? -1;
      } else {
        windowOf[base + i] = -1;
      }
      factor[base + i] = f;
      if (w !== undefined && i === w[1]) {
        prevRight = i;
        prevWidth = w[1] - w[0] + 1;
        next++;
      }
    }
    base += file.rows;
  }
  return { windowOf, factor, windowCount, labelledWindows, offsets };
}

export interface ThresholdResult {
  threshold: number;
  /** Raw NAB score (sum over files) at this threshold. */
  raw: number;
  tp: number;
  fp: number;
  fn: number;
}

/**
 * Sweeps every distinct score from high to low and returns the best threshold for this
 * profile (ties go to the highest threshold). `scores` is the concatenated corpus, in the
 * plan's row order.
 */
export function optimiseThreshold(
  plan: SweepPlan,
  scores: Float64Array,
  profile: CostProfile,
): ThresholdResult {
  const order: number[] = [];
  for (let i = 0; i < scores.length; i++) if ((plan.windowOf[i] ?? -2) !== -2) order.push(i);
  order.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
  const best = new Float64Array(plan.windowCount).fill(-profile.fnWeight);
  let raw = -profile.fnWeight * plan.windowCount;
  let tp = 0;
  let fp = 0;
  let result: ThresholdResult = { threshold: Infinity, raw, tp, fp, fn: plan.windowCount };
  for (let k = 0; k < order.length; k++) {
    const i = order[k] ?? 0;
    const win = plan.windowOf[i] ?? -1;
    const f = plan.factor[i] ?? 0;
    if (win < 0) {
      raw += f * profile.fpWeight;
      fp++;
    } else {
      const v = f * profile.tpWeight;
      const old = best[win] ?? 0;
      if (old === -profile.fnWeight) tp++;
      if (v > old) {
        raw += v - old;
        best[win] = v;
      }
    }
    const s = scores[i] ?? 0;
    const nextIndex = order[k + 1];
    const atNewThreshold = nextIndex === undefined || (scores[nextIndex] ?? 0) !== s;
    if (atNewThreshold && raw > result.raw) {
      result = { threshold: s, raw, tp, fp, fn: plan.windowCount - tp };
    }
  }
  return result;
}

export interface ProfileScore extends ThresholdResult {
  /** 100 · (raw − null)/(perfect − null). */
  normalised: number;
  nullRaw: number;
  perfect: number;
}

/** Optimises the threshold and normalises against the null detector and the perfect score. */
export function scoreProfile(plan: SweepPlan, scores: Float64Array, profile: CostProfile): ProfileScore {
  const result = optimiseThreshold(plan, scores, profile);
  const nullRaw = optimiseThreshold(plan, new Float64Array(scores.length), profile).raw;
  const perfect = plan.labelledWindows * profile.tpWeight;
  const normalised = (100 * (result.raw - nullRaw)) / (perfect - nullRaw);
  return { ...result, normalised, nullRaw, perfect };
}
