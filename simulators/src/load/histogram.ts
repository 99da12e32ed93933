/**
 * Latency percentiles over 1 s windows from log-bucketed histograms: bucket i holds values in
 * [MIN·G^(i−1), MIN·G^i) ms (2 % wide), bucket 0 everything below MIN. Histograms are sparse
 * and merge by adding counts, so workers ship them to the orchestrator once a second.
 * A reported percentile is its bucket's upper bound: at most 2 % (or MIN) above the true value.
 */
const MIN_MS = 0.01;
const G = 1.02;
const LN_G = Math.log(G);

export type Sparse = [bucket: number, count: number][];

export interface Quantiles {
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  samples: number;
}

export const bucketOf = (ms: number) => (ms < MIN_MS ? 0 : Math.floor(Math.log(ms / MIN_MS) / LN_G) + 1);
const upper = (b: number) => MIN_MS * G ** b;
const round = (x: number) => (x < 10 ? Math.round(x * 100) / 100 : Math.round(x * 10) / 10);

export class Histogram {
  private counts = new Map<number, number>();
  total = 0;

  record(ms: number): void {
    const b = bucketOf(ms);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.total++;
  }

  merge(s: Sparse): void {
    for (const [b, c] of s) {
      this.counts.set(b, (this.counts.get(b) ?? 0) + c);
      this.total += c;
    }
  }

  sparse(): Sparse {
    return [...this.counts];
  }

  /** Value at quantile q in [0, 1] (bucket upper bound, ms); 0 when empty. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((x, y) => x - y)) {
      seen += this.counts.get(b)!;
      if (seen >= rank) return round(upper(b));
    }
    return 0;
  }

  quantiles(): Quantiles {
    const [p50, p95, p99, p999, max] = [0.5, 0.95, 0.99, 0.999, 1].map((q) => this.quantile(q));
    return { p50: p50!, p95: p95!, p99: p99!, p999: p999!, max: max!, samples: this.total };
  }
}

/** Histograms keyed by whole seconds since `startMs`, plus one over the whole run. */
export class SecondWindows {
  readonly seconds = new Map<number, Histogram>();
  readonly all = new Histogram();

  constructor(readonly startMs: number) {}

  secondOf(nowMs: number): number {
    return Math.floor((nowMs - this.startMs) / 1000);
  }

  record(nowMs: number, ms: number): void {
    this.at(this.secondOf(nowMs)).record(ms);
    this.all.record(ms);
  }

  mergeAt(second: number, s: Sparse): void {
    this.at(second).merge(s);
    this.all.merge(s);
  }

  /** Removes and returns second `s`'s histogram (empty when none). */
  take(s: number): Histogram {
    const h = this.seconds.get(s) ?? new Histogram();
    this.seconds.delete(s);
    return h;
  }

  private at(s: number): Histogram {
    let h = this.seconds.get(s);
    if (h === undefined) this.seconds.set(s, (h = new Histogram()));
    return h;
  }
}
