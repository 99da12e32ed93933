/**
 * Daily cycles on China Standard Time (UTC+8, no DST), whatever the host's zone.
 * All shapes are in [0, 1].
 */
const CST_OFFSET_H = 8;

/** Local hour of day in [0, 24) at Beijing time. */
export function localHour(tMs: number): number {
  const h = (tMs / 3_600_000 + CST_OFFSET_H) % 24;
  return h < 0 ? h + 24 : h;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function bump(h: number, center: number, sigma: number): number {
  const d = h - center;
  return Math.exp(-(d * d) / (2 * sigma * sigma));
}

/** 1 from 07:00 to 22:00, ramping over an hour either side. */
export function daytime(h: number): number {
  return clamp01(h - 6) * clamp01(23 - h);
}

/** Water/gas demand: morning (7–9 h) and evening (18–21 h) peaks. */
export function demand(h: number): number {
  return clamp01(0.1 + 0.3 * daytime(h) + 0.6 * Math.max(bump(h, 8, 0.9), bump(h, 19.5, 1.2)));
}

/** Road traffic: commuter peaks at 8 h and 18 h. */
export function traffic(h: number): number {
  return clamp01(0.08 + 0.4 * daytime(h) + 0.55 * Math.max(bump(h, 8, 1.0), bump(h, 18, 1.2)));
}

export { clamp01 };
