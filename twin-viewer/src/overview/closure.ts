/** Incident closure over a trailing window, pure: closed ÷ opened, and the median time to close. */
import type { Incident } from "@citytwin/model";

export const DAY_MS = 24 * 3600 * 1000;

export interface Closure {
  opened: number;
  closed: number;
  /** closed ÷ opened in the window; undefined when nothing opened. */
  rate: number | undefined;
  /** Median closedAt − openedAt of the incidents closed in the window, ms. */
  medianCloseMs: number | undefined;
}

export function closureOver(incidents: Iterable<Incident>, nowMs: number, windowMs = DAY_MS): Closure {
  const since = nowMs - windowMs;
  let opened = 0;
  const durations: number[] = [];
  for (const i of incidents) {
    if (i.openedAt >= since) opened++;
    if (i.state === "closed" && i.closedAt !== undefined && i.closedAt >= since)
      durations.push(i.closedAt - i.openedAt);
  }
  durations.sort((a, b) => a - b);
  const mid = durations.length >> 1;
  const median =
    durations.length === 0
      ? undefined
      : durations.length % 2 === 1
        ? durations[mid]
        : (durations[mid - 1]! + durations[mid]!) / 2;
  return {
    opened,
    closed: durations.length,
    rate: opened === 0 ? undefined : durations.length / opened,
    medianCloseMs: median,
  };
}
