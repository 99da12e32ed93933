/**
 * In-page frame measurement for the viewer benchmark, run through `page.evaluate`: for
 * `seconds`, every animation frame turns the camera a little (so every frame re-renders the whole
 * scene, as while an operator pans) and records the interval between frames, i.e. the frame
 * time the operator sees, including applying the live readings queued for that frame. Also
 * samples the scene's own render time (pre- to postRender), long tasks and the JS heap.
 */
export interface FrameSample {
  /** rAF-to-rAF intervals, ms. */
  intervals: number[];
  /** Scene render durations, ms (one per rendered frame). */
  renders: number[];
  framesRendered: number;
  longTasks: number;
  longTaskMs: number;
  /** performance.memory.usedJSHeapSize (Chromium, --enable-precise-memory-info). */
  jsHeapBytes: number | undefined;
}

/** Source of the function evaluated in the page (kept as a string: it runs in the browser). */
export const MEASURE_FRAMES = `async (seconds) => {
  const h = window.__citytwin;
  const intervals = [];
  const renders = [];
  let longTasks = 0;
  let longTaskMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) { longTasks++; longTaskMs += e.duration; }
  });
  try { obs.observe({ entryTypes: ["longtask"] }); } catch {}
  const frames0 = h.framesRendered;
  let seen = h.framesRendered;
  let last = performance.now();
  let turned = 0;
  let dir = 1;
  const until = last + seconds * 1000;
  await new Promise((resolve) => {
    const step = (t) => {
      intervals.push(t - last);
      last = t;
      if (h.framesRendered !== seen && h.lastFrameMs !== undefined) renders.push(h.lastFrameMs);
      seen = h.framesRendered;
      if (t > until) return resolve();
      if (Math.abs(turned) >= 4) dir = -dir;
      h.turnCamera(0.04 * dir);
      turned += 0.04 * dir;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  obs.disconnect();
  intervals.shift();
  return {
    intervals,
    renders,
    framesRendered: h.framesRendered - frames0,
    longTasks,
    longTaskMs,
    jsHeapBytes: performance.memory ? performance.memory.usedJSHeapSize : undefined,
  };
}`;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
