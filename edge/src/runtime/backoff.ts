/**
 * Capped exponential backoff with ±20% jitter: initial, 2×, 4×, … up to `maxMs`.
 * `reset()` after a success. Pure apart from the injected random source.
 */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Delay before the next attempt; advances the attempt counter. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const jitter = 1 + (this.random() * 0.4 - 0.2);
    return Math.max(0, Math.round(Math.min(this.maxMs, base * jitter)));
  }

  reset(): void {
    this.attempt = 0;
  }

  get failures(): number {
    return this.attempt;
  }
}
