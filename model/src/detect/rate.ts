/**
 * Rate of change (unit per minute) over a short window, four levels with hysteresis and an
 * off-delay; plus the fluctuation feature that composite rules read (mean |change| between
 * successive readings, an EWMA — a gas leak fluctuates, sewer biogas sits still).
 *
 * Window: a ring of RATE_SLOTS anchors, one pushed every windowMs / RATE_SLOTS; the rate
 * is (x − oldest anchor within windowMs) / span, and 0 while the span is < minSpanMs (one
 * step of noise is not a trend). A gap longer than the window (or a re-anchored clock)
 * restarts the window and clears the level. State: 2 × 8 anchors + 6 numbers + latch.
 */
import type { LevelThresholds } from "../levels";
import { rankAgainst, setLatch, stepLatch, type LevelLatch } from "./level-latch";
import type { RateProfile } from "./profile";

export const RATE_SLOTS = 8;

export interface RateState {
  at: number[];
  v: number[];
  head: number;
  count: number;
  /** Last rate, unit/min (0 until the window spans minSpanMs). */
  rate: number;
  /** Mean |x − previous x|, unit per reading. */
  fluct: number;
  last: number;
  latch: LevelLatch;
}

export interface RateConfig {
  levels: LevelThresholds | null;
  windowMs: number;
  minSpanMs: number;
  slotMs: number;
  hysteresis: number;
  holdMs: number;
  fluctTauMs: number;
}

/** The profile fitted to a sensor's interval: the window covers at least 4 readings. */
export function resolveRate(p: RateProfile, intervalMs: number): RateConfig {
  const windowMs = Math.max(p.windowMs, 4 * intervalMs);
  return {
    levels: p.levels ?? null,
    windowMs,
    minSpanMs: Math.min(Math.max(p.minSpanMs, 2 * intervalMs), windowMs),
    slotMs: windowMs / RATE_SLOTS,
    hysteresis: p.hysteresis,
    holdMs: p.holdMs,
    fluctTauMs: p.fluctuationHalfLifeMs / Math.LN2,
  };
}

export function createRate(latch: LevelLatch): RateState {
  return {
    at: new Array<number>(RATE_SLOTS).fill(0),
    v: new Array<number>(RATE_SLOTS).fill(0),
    head: 0,
    count: 0,
    rate: 0,
    fluct: 0,
    last: 0,
    latch,
  };
}

/** True when the level changed. O(1) amortised, allocation-free. `dt` from the reading clock. */
export function updateRate(st: RateState, c: RateConfig, ts: number, x: number, dt: number): boolean {
  const { at, v } = st;
  if (st.count === 0 || dt > c.windowMs) {
    st.head = 0;
    st.count = 1;
    at[0] = ts;
    v[0] = x;
    st.rate = 0;
    st.fluct = 0;
    st.last = x;
    return c.levels !== null && setLatch(st.latch, 0);
  }
  st.fluct += (1 - Math.exp(-dt / c.fluctTauMs)) * (Math.abs(x - st.last) - st.fluct);
  st.last = x;
  if (ts - (at[st.head] ?? ts) >= c.slotMs) {
    st.head = (st.head + 1) % RATE_SLOTS;
    at[st.head] = ts;
    v[st.head] = x;
    if (st.count < RATE_SLOTS) st.count++;
  }
  let oldest = (st.head - st.count + 1 + RATE_SLOTS) % RATE_SLOTS;
  while (st.count > 1 && ts - (at[oldest] ?? ts) > c.windowMs) {
    oldest = (oldest + 1) % RATE_SLOTS;
    st.count--;
  }
  const span = ts - (at[oldest] ?? ts);
  st.rate = span >= c.minSpanMs ? ((x - (v[oldest] ?? x)) / span) * 60_000 : 0;
  if (c.levels === null) return false;
  const raw = rankAgainst(c.levels, st.rate, 0);
  const hold = rankAgainst(c.levels, st.rate, c.hysteresis);
  return stepLatch(st.latch, raw, hold, ts, c.holdMs);
}
