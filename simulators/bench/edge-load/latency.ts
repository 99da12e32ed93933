/**
 * Publish latency and throughput as a subscriber sees them: for each reading in a
 * TelemetryBatch, receive time − reading timestamp (the edge clock at poll time; same host,
 * same clock). Keeps every sample of the window (a minute at 15k/s is ~1M numbers).
 */
import type { TelemetryBatch } from "@citytwin/model";

export class LatencyRecorder {
  readings = 0;
  private since = Date.now();
  private samples: number[] = [];

  onBatch(payload: Buffer, now: number): void {
    const batch = JSON.parse(payload.toString("utf8")) as TelemetryBatch;
    for (const list of Object.values(batch.devices)) {
      for (const r of list) {
        this.readings += Object.keys(r.values).length;
        this.samples.push(now - r.ts);
      }
    }
  }

  reset(): void {
    this.readings = 0;
    this.samples = [];
    this.since = Date.now();
  }

  rate(): number {
    const s = (Date.now() - this.since) / 1000;
    return s > 0 ? this.readings / s : 0;
  }

  percentiles(): { p50: number; p95: number; p99: number } {
    const xs = [...this.samples].sort((x, y) => x - y);
    const at = (q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  }
}
