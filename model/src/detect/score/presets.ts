/**
 * Named scorer configurations: what `citytwin detect --detector <name>` and the NAB
 * benchmark run. Each preset is one configuration for every series (no per-series tuning);
 * presets marked `usesRange` take the sensor's configured full-scale range when there is
 * one and learn a grid online otherwise. Figures: docs/detection.md, "NAB evaluation".
 */
import { contextNovelty } from "./context-novelty";
import { scoreEnsemble } from "./ensemble";
import { ewmaZ } from "./ewma-z";
import { withOnsetLatch } from "./onset-latch";
import { robustZ } from "./robust-z";
import { bindScorer, type BoundScorer, type FullScaleRange } from "./types";

export interface ScorerPreset {
  name: string;
  description: string;
  /** True when the preset uses a configured full-scale range (`--min/--max`). */
  usesRange: boolean;
  create(range?: FullScaleRange): BoundScorer;
}

const ewmaLatched = withOnsetLatch(ewmaZ);
const robustLatched = withOnsetLatch(robustZ);
const contextLatched = withOnsetLatch(contextNovelty);

export const SCORER_PRESETS: readonly ScorerPreset[] = [
  {
    name: "full",
    description: "context novelty + onset latch: the full stack (default)",
    usesRange: true,
    create: (range) => bindScorer(contextLatched, { inner: { range } }, "full"),
  },
  {
    name: "hot-path",
    description: "EWMA z-score + onset latch: the cheap first stage",
    usesRange: false,
    create: () => bindScorer(ewmaLatched, { inner: {} }, "hot-path"),
  },
  {
    name: "ewma-z",
    description: "EWMA z-score, unlatched",
    usesRange: false,
    create: () => bindScorer(ewmaZ, {}),
  },
  {
    name: "robust-z",
    description: "Huber-clipped EWMA level/scale z-score + onset latch",
    usesRange: false,
    create: () => bindScorer(robustLatched, { inner: {} }, "robust-z"),
  },
  {
    name: "context",
    description: "context novelty, unlatched",
    usesRange: true,
    create: (range) => bindScorer(contextNovelty, { range }),
  },
  {
    name: "ensemble",
    description: "weighted mean of context novelty (1) and EWMA z (0.2) + onset latch",
    usesRange: true,
    create: (range) =>
      bindScorer(
        withOnsetLatch(
          scoreEnsemble(
            "ensemble",
            [
              { scorer: bindScorer(contextNovelty, { range }), weight: 1 },
              { scorer: bindScorer(ewmaZ, {}), weight: 0.2 },
            ],
            "mean",
          ),
        ),
        { inner: {} },
        "ensemble",
      ),
  },
];

export const DEFAULT_SCORER = "full";

export function findScorerPreset(name: string): ScorerPreset | undefined {
  return SCORER_PRESETS.find((p) => p.name === name);
}
