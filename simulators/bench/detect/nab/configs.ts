/**
 * The detector configurations the NAB benchmark compares: each scorer preset once, and
 * the range-aware presets a second time with the declared sensor ranges
 * (./sensor-ranges.json). One configuration serves every series; only the declared range
 * differs per series, as it would per sensor in a deployment.
 */
import { findScorerPreset, type BoundScorer, type FullScaleRange } from "../../../../model/src/detect/score";

export interface BenchConfig {
  /** Row label in the results table. */
  label: string;
  preset: string;
  /** Builds the scorer for one series. */
  scorerFor(series: string): BoundScorer;
}

const ORDER = ["ewma-z", "hot-path", "robust-z", "context", "full", "ensemble"] as const;

export function benchConfigs(ranges: ReadonlyMap<string, FullScaleRange>): BenchConfig[] {
  const out: BenchConfig[] = [];
  for (const name of ORDER) {
    const preset = findScorerPreset(name);
    if (preset === undefined) throw new Error(`unknown scorer preset ${name}`);
    out.push({
      label: preset.usesRange ? `${name} (range learned online)` : name,
      preset: name,
      scorerFor: () => preset.create(),
    });
    if (preset.usesRange) {
      out.push({
        label: `${name} (declared sensor range)`,
        preset: name,
        scorerFor: (series) => preset.create(ranges.get(series)),
      });
    }
  }
  return out;
}
