/**
 * Four-level thresholds on the value (蓝/黄/橙/红), with hysteresis and an off-delay.
 * Raises as soon as a bound is reached; a level clears only when the value has retreated
 * past bound ∓ hysteresis and stayed there for holdMs. State: one LevelLatch (2 numbers).
 */
import type { LevelThresholds } from "../levels";
import { rankAgainst, stepLatch, type LevelLatch } from "./level-latch";
import type { ThresholdProfile } from "./profile";

/** True when the level changed. O(1), allocation-free. NaN leaves the level as it is. */
export function updateThreshold(st: LevelLatch, p: ThresholdProfile, ts: number, x: number): boolean {
  if (Number.isNaN(x)) return false;
  const raw = rankAgainst(p.levels, x, 0);
  const hold = rankAgainst(p.levels, x, p.hysteresis);
  return stepLatch(st, raw, hold, ts, p.holdMs);
}

/** The bound of level `rank` (1..4), for explanations. */
export function boundOf(t: LevelThresholds, rank: number): number | undefined {
  return rank === 4 ? t.red : rank === 3 ? t.orange : rank === 2 ? t.yellow : rank === 1 ? t.blue : undefined;
}
