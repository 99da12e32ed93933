/**
 * Reading order per sensor: one policy for every value detector, so a late, duplicate or
 * clock-jumped reading is treated the same everywhere.
 *
 *   first reading            admitted, dt = FRESH (windows start here)
 *   ts > last                admitted, dt = ts − last (a detector resets its window when dt
 *                            exceeds its own gap limit, which also covers forward clock jumps)
 *   ts = last (duplicate)    dropped
 *   ts < last (late)         dropped; after REANCHOR_AFTER such readings in a row the clock is
 *                            taken to have stepped back: re-anchored there, dt = FRESH
 *   non-finite ts            dropped
 *
 * "The latest reading in time wins": a late reading never moves a level backwards in time.
 * A store-and-forward replay that arrives in order after live data looks like a backward
 * step and is re-anchored after REANCHOR_AFTER readings; that is the price of O(1) state.
 */
import { NEVER } from "./level-latch";

export const DROP = -1;
/** dt of the first reading after a start or re-anchor: larger than any gap limit. */
export const FRESH = Number.POSITIVE_INFINITY;
export const REANCHOR_AFTER = 3;

export interface ReadingClock {
  lastTs: number;
  /** Late readings in a row. */
  back: number;
}

export function createReadingClock(): ReadingClock {
  return { lastTs: NEVER, back: 0 };
}

/** Classifies a reading at `ts`: DROP, FRESH, or the positive ms since the last admitted one. */
export function admit(st: ReadingClock, ts: number): number {
  if (!Number.isFinite(ts)) return DROP;
  if (st.lastTs === NEVER) {
    st.lastTs = ts;
    st.back = 0;
    return FRESH;
  }
  if (ts > st.lastTs) {
    const dt = ts - st.lastTs;
    st.lastTs = ts;
    st.back = 0;
    return dt;
  }
  if (ts === st.lastTs) return DROP;
  st.back++;
  if (st.back < REANCHOR_AFTER) return DROP;
  st.lastTs = ts;
  st.back = 0;
  return FRESH;
}
