/**
 * Level arithmetic shared by the detectors. Levels travel as ranks 0..4, indices into
 * LEVELS (normal, blue, yellow, orange, red), so comparisons and max() stay cheap.
 *
 * A latch raises at once and lowers only when the signal has retreated past its bound by
 * the hysteresis (a dead band, ISA-18.2 / IEC 62682 "alarm deadband") and then stayed there
 * for `holdMs` (an off-delay). Together they stop a signal that hovers at a bound, or
 * fluctuates across it, from chattering.
 */
import { LEVELS, type Level, type LevelThresholds } from "../levels";

/** "No time yet": JSON-safe (unlike NaN or ±Infinity) and before any valid Date (−8.64e15 ms). */
export const NEVER = -8.64e15;

/** Mutable, JSON-able latch state: the level rank now and when a pending lowering began. */
export interface LevelLatch {
  level: number;
  downSince: number;
}

export function createLevelLatch(): LevelLatch {
  return { level: 0, downSince: NEVER };
}

export function levelName(rank: number): Level {
  return LEVELS[rank] ?? "normal";
}

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/**
 * Rank of `x` against four-level bounds, each bound moved toward normal by `relax`
 * (0 for raising; the hysteresis for holding). NaN ranks 0. O(1), allocation-free.
 */
export function rankAgainst(t: LevelThresholds, x: number, relax: number): number {
  if (t.direction === "high") {
    if (t.red !== undefined && x >= t.red - relax) return 4;
    if (t.orange !== undefined && x >= t.orange - relax) return 3;
    if (t.yellow !== undefined && x >= t.yellow - relax) return 2;
    if (t.blue !== undefined && x >= t.blue - relax) return 1;
    return 0;
  }
  if (t.red !== undefined && x <= t.red + relax) return 4;
  if (t.orange !== undefined && x <= t.orange + relax) return 3;
  if (t.yellow !== undefined && x <= t.yellow + relax) return 2;
  if (t.blue !== undefined && x <= t.blue + relax) return 1;
  return 0;
}

/**
 * Moves the latch given `raw` (rank by the bounds) and `hold` (rank by the bounds relaxed by
 * the hysteresis; hold ≥ raw). Returns true when the level changed.
 *  - raw above the level: raise to raw now.
 *  - hold at or above the level: stay, cancel any pending lowering.
 *  - hold below the level: lower to hold once it has been below for `holdMs`.
 */
export function stepLatch(st: LevelLatch, raw: number, hold: number, ts: number, holdMs: number): boolean {
  if (raw > st.level) {
    st.level = raw;
    st.downSince = NEVER;
    return true;
  }
  if (hold >= st.level) {
    st.downSince = NEVER;
    return false;
  }
  if (holdMs > 0) {
    if (st.downSince === NEVER) {
      st.downSince = ts;
      return false;
    }
    if (ts - st.downSince < holdMs) return false;
  }
  st.level = hold;
  st.downSince = NEVER;
  return true;
}

/** Forces the latch to `rank` (resets, warm-up ends); true when the level changed. */
export function setLatch(st: LevelLatch, rank: number): boolean {
  st.downSince = NEVER;
  if (st.level === rank) return false;
  st.level = rank;
  return true;
}
