/**
 * Runs one benchmark configuration over the corpus: the anomaly scores (concatenated in
 * corpus order, one fresh state per series), the cost per reading, and the state size.
 */
import type { BenchConfig } from "./configs";
import type { NabFile } from "./corpus";

export interface ConfigRun {
  scores: Float64Array;
  /** Best of `passes` timed passes over the whole corpus, ns per reading, one thread. */
  nsPerReading: number;
  /** Largest JSON-serialised state over the series, after the series' last reading. */
  stateBytes: number;
}

function runOnce(config: BenchConfig, files: readonly NabFile[], out: Float64Array): number {
  let k = 0;
  let maxState = 0;
  for (const f of files) {
    const scorer = config.scorerFor(f.name);
    const state = scorer.init();
    for (let i = 0; i < f.rows; i++) out[k++] = scorer.update(state, f.ts[i] ?? 0, f.values[i] ?? 0);
    maxState = Math.max(maxState, Buffer.byteLength(JSON.stringify(state)));
  }
  return maxState;
}

export function runConfig(config: BenchConfig, files: readonly NabFile[], passes = 3): ConfigRun {
  const total = files.reduce((n, f) => n + f.rows, 0);
  const scores = new Float64Array(total);
  const stateBytes = runOnce(config, files, scores); // also warms the JIT up
  const scratch = new Float64Array(total);
  let best = Infinity;
  for (let p = 0; p < passes; p++) {
    const t0 = process.hrtime.bigint();
    let k = 0;
    for (const f of files) {
      const scorer = config.scorerFor(f.name);
      const state = scorer.init();
      for (let i = 0; i < f.rows; i++) scratch[k++] = scorer.update(state, f.ts[i] ?? 0, f.values[i] ?? 0);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  for (let i = 0; i < total; i++) {
    if (scratch[i] !== scores[i]) throw new Error(`${config.label}: scores differ between runs at row ${i}`);
  }
  return { scores, nsPerReading: best / total, stateBytes };
}
