/**
 * Replay pacing after a reconnect. Batches with seq ≤ `mark` (the last seq assigned when the
 * connection came up) are backlog; newer ones are live. The publisher fills its in-flight
 * window with live batches first; backlog batches take at most half the window and are paced
 * by a token bucket of `ratePerSecond` (burst: one second's worth). Rate 0 = unpaced.
 * So live data is never starved by a replay, and a replay cannot flood the link.
 */
export class ReplayPacer {
  /** Highest seq that counts as backlog. */
  mark = 0;
  private tokens: number;
  private at: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number,
  ) {
    this.tokens = Math.max(1, ratePerSecond);
    this.at = now();
  }

  isBacklog(seq: number): boolean {
    return seq <= this.mark;
  }

  /** Takes one backlog send permit if available. */
  take(): boolean {
    if (this.ratePerSecond <= 0) return true;
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Returns a permit that was not used. */
  refund(): void {
    if (this.ratePerSecond > 0) this.tokens = Math.min(this.tokens + 1, Math.max(1, this.ratePerSecond));
  }

  /** ms until the next permit (0 when one is available). */
  waitMs(): number {
    if (this.ratePerSecond <= 0) return 0;
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(
      Math.max(1, this.ratePerSecond),
      this.tokens + ((t - this.at) / 1000) * this.ratePerSecond,
    );
    this.at = t;
  }
}
