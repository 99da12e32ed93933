/** Polling waits for cross-process tests (generous bounds; tests must not depend on speed). */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `until(fn, timeoutMs = defaultMs)`: polls `fn` every 25 ms until it returns a value. */
export function untilWithin(defaultMs: number) {
  return async function until<T>(fn: () => T | undefined, timeoutMs = defaultMs): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = fn();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error("condition not met in time");
      await sleep(25);
    }
  };
}
