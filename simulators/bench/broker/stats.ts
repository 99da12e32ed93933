/**
 * Counting and latency inside a measurement window [from, to) (Date.now ms, set by the
 * orchestrator). Messages outside the window are ignored, so warm-up and drain do not count.
 */
export interface Window {
  from: number;
  to: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  samples: number;
}

export interface WindowStats {
  count: number;
  seconds: number;
  latencyMs: Percentiles;
}

export class WindowRecorder {
  private count = 0;
  private samples: number[] = [];
  window: Window = { from: Infinity, to: Infinity };

  /** One message seen at `now`; `latencyMs` when it carries a send time. */
  record(now: number, latencyMs?: number): void {
    if (now < this.window.from || now >= this.window.to) return;
    this.count++;
    if (latencyMs !== undefined) this.samples.push(latencyMs);
  }

  stats(): WindowStats {
    return {
      count: this.count,
      seconds: (this.window.to - this.window.from) / 1000,
      latencyMs: percentiles(this.samples),
    };
  }
}

export function percentiles(xs: number[]): Percentiles {
  const s = Float64Array.from(xs).sort();
  const at = (q: number) => (s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.floor(q * s.length))]!);
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: at(1), samples: s.length };
}
