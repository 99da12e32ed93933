/**
 * Sensitivity of the full stack's NAB score to its parameters: each parameter moved one
 * step either side of its default, one at a time. The defaults were picked on this same
 * corpus (there is no held-out set), so a flat neighbourhood is the honest evidence that
 * the score is not one lucky setting. Run with `main.ts --sensitivity`.
 */
import {
  bindScorer,
  contextNovelty,
  withOnsetLatch,
  type ContextNoveltyOptions,
  type FullScaleRange,
} from "../../../../model/src/detect/score";
import type { BenchConfig } from "./configs";

interface Variation {
  label: string;
  context: ContextNoveltyOptions;
  decay?: number;
}

const VARIATIONS: Variation[] = [
  { label: "defaults", context: {} },
  { label: "levels 6", context: { levels: 6 } },
  { label: "levels 10", context: { levels: 10 } },
  { label: "grids 2", context: { grids: 2 } },
  { label: "grids 4", context: { grids: 4 } },
  { label: "horizon 2000", context: { horizon: 2000 } },
  { label: "horizon 8000", context: { horizon: 8000 } },
  { label: "todSlots 0 (no time of day)", context: { todSlots: 0 } },
  { label: "todSlots 12", context: { todSlots: 12 } },
  { label: "todSlots 48", context: { todSlots: 48 } },
  { label: "orders 1", context: { orders: 1 } },
  { label: "orders 3", context: { orders: 3 } },
  { label: "warmup 200", context: { warmup: 200 } },
  { label: "warmup 800", context: { warmup: 800 } },
  { label: "margin 0.1", context: { margin: 0.1 } },
  { label: "margin 0.5", context: { margin: 0.5 } },
  { label: "tableBits 11", context: { tableBits: 11 } },
  { label: "tableBits 14", context: { tableBits: 14 } },
  { label: "latch decay 0.99", context: {}, decay: 0.99 },
  { label: "latch decay 0.998", context: {}, decay: 0.998 },
];

const latched = withOnsetLatch(contextNovelty);

/** The full stack with one parameter changed; `ranges` as in the declared-range row. */
export function sensitivityConfigs(ranges?: ReadonlyMap<string, FullScaleRange>): BenchConfig[] {
  return VARIATIONS.map((v) => ({
    label: `full ${v.label}${ranges === undefined ? "" : " (declared range)"}`,
    preset: "full",
    scorerFor: (series: string) =>
      bindScorer(latched, { decay: v.decay, inner: { ...v.context, range: ranges?.get(series) } }),
  }));
}
