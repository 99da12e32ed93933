/**
 * Stuck or flatline: the value stayed within ±epsilon of a reference for at least
 * `afterReadings` readings spanning `afterMs`. epsilon 0 means bit-exact repeats (a frozen
 * transmitter or a stale register); set it to about one resolution step where a dead
 * sensor's last digit still flickers. `afterReadings` is chosen per kind so that the
 * kind's normal noise, at its transmitted resolution, almost never repeats that often
 * (docs/alarm-defaults.md, "Stuck"). Readings equal to `restValue` never count (a
 * methane detector resting at 0 %LEL in clean air is not stuck). State: 4 numbers + latch.
 */
import type { LevelLatch } from "./level-latch";
import { setLatch } from "./level-latch";

export interface StuckState {
  ref: number;
  since: number;
  /** Unchanged readings including the reference; 0 = no reference yet. */
  count: number;
  latch: LevelLatch;
}

export interface StuckConfig {
  epsilon: number;
  afterReadings: number;
  afterMs: number;
  rank: number;
  /** Gap (ms) after which the run restarts. */
  gapMs: number;
  restValue: number | null;
}

export function createStuck(latch: LevelLatch): StuckState {
  return { ref: 0, since: 0, count: 0, latch };
}

/** True when the level changed. O(1), allocation-free. `dt` from the reading clock. */
export function updateStuck(st: StuckState, c: StuckConfig, ts: number, x: number, dt: number): boolean {
  const still = st.count > 0 && dt <= c.gapMs && Math.abs(x - st.ref) <= c.epsilon && x !== c.restValue;
  if (!still) {
    st.ref = x;
    st.since = ts;
    st.count = 1;
    return setLatch(st.latch, 0);
  }
  st.count++;
  if (st.latch.level === 0 && st.count >= c.afterReadings && ts - st.since >= c.afterMs)
    return setLatch(st.latch, c.rank);
  return false;
}
