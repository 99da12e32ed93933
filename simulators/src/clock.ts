/**
 * The simulation clock: simulated ms since the epoch, running `timeScale` times faster than
 * the host clock from `startMs`. Injected everywhere instead of Date.now().
 */
export interface SimClock {
  now(): number;
  readonly startMs: number;
  readonly timeScale: number;
}

export function createSimClock(startMs: number, timeScale = 1, hostNow: () => number = Date.now): SimClock {
  const hostStart = hostNow();
  return { startMs, timeScale, now: () => startMs + (hostNow() - hostStart) * timeScale };
}
