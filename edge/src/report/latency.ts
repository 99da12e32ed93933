/** The last `size` latency samples in a ring; percentiles are computed on demand (O(n log n), n ≤ size). */
export class LatencyWindow {
  private readonly ring: Float64Array;
  private n = 0;
  private next = 0;

  constructor(size = 64) {
    this.ring = new Float64Array(size);
  }

  add(ms: number): void {
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.ring.length;
    if (this.n < this.ring.length) this.n++;
  }

  /** Nearest-rank percentile (0 < p ≤ 100), or undefined before the first sample. */
  percentile(p: number): number | undefined {
    if (this.n === 0) return undefined;
    const sorted = Array.from(this.ring.subarray(0, this.n)).sort((a, b) => a - b);
    return sorted[Math.min(this.n, Math.max(1, Math.ceil((p / 100) * this.n))) - 1];
  }
}
