/**
 * Coalesces bursts of change notifications into renders at least `minGapMs` apart: the first
 * change after a quiet spell renders on the next tick, later ones wait for the gap, and every
 * change is covered by a render that starts after it.
 */
export function renderSoon(render: () => void, minGapMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastRun = Number.NEGATIVE_INFINITY;
  return () => {
    if (timer !== undefined) return;
    const wait = Math.max(0, lastRun + minGapMs - performance.now());
    timer = setTimeout(() => {
      timer = undefined;
      lastRun = performance.now();
      render();
    }, wait);
  };
}
