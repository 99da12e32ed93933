/**
 * InfluxDB 1.x writer: POST /write?db=<db>&precision=ms[&rp=<rp>] with line-protocol bodies
 * of up to `batchSize` lines [InfluxDB 1.x HTTP API, /write]. One request in flight at a
 * time, batches queued behind it (bounded: the oldest batch goes to `onWriteFailed` when the
 * queue is full). 5xx and network errors are retried with exponential backoff up to
 * `maxRetries`; 4xx (bad line, missing database, auth) is not retryable and fails at once.
 */
import type { Logger } from "pino";
import { CityTwinError } from "@citytwin/model";
import type { InfluxV1Resolved } from "../config/load";
import type { AcceptedReading } from "../ingest/validate";
import type { GatewayMetrics } from "../metrics";
import { pointLine } from "./line-protocol";
import type { Sink, WriteFailedHandler } from "./sink";

export interface V1WriterOptions {
  target: InfluxV1Resolved;
  batchSize: number;
  flushIntervalMs: number;
  maxRetries: number;
  /** Batches waiting to be sent before the oldest is given up. */
  maxQueuedBatches?: number;
  retryBaseMs?: number;
  logger: Logger;
  metrics: GatewayMetrics;
  onWriteFailed: WriteFailedHandler;
}

export function v1AuthHeaders(target: InfluxV1Resolved): Record<string, string> {
  if (target.username === undefined) return {};
  const basic = Buffer.from(`${target.username}:${target.password ?? ""}`).toString("base64");
  return { authorization: `Basic ${basic}` };
}

export class InfluxV1Writer implements Sink {
  readonly name = "influx-v1";
  private lines: string[] = [];
  private readonly queue: string[][] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private stopped = false;
  private readonly url: string;

  constructor(private readonly opts: V1WriterOptions) {
    const u = new URL("/write", opts.target.url);
    u.searchParams.set("db", opts.target.database);
    u.searchParams.set("precision", "ms");
    if (opts.target.retentionPolicy !== undefined) u.searchParams.set("rp", opts.target.retentionPolicy);
    this.url = u.toString();
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.timer = setInterval(() => this.cut(), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  write(readings: readonly AcceptedReading[]): void {
    for (const r of readings) {
      this.lines.push(pointLine(r.sensor.series, r.value, r.quality, r.ts));
      if (this.lines.length >= this.opts.batchSize) this.cut();
    }
  }

  /** Writes raw line-protocol lines (used by tests and replays). */
  writeLines(lines: readonly string[]): void {
    for (const l of lines) {
      this.lines.push(l);
      if (this.lines.length >= this.opts.batchSize) this.cut();
    }
  }

  async flush(): Promise<void> {
    this.cut();
    while (this.sending !== undefined) await this.sending;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    this.stopped = true;
  }

  /** Moves the buffered lines into the send queue and kicks the sender. */
  private cut(): void {
    if (this.lines.length > 0) {
      this.queue.push(this.lines);
      this.lines = [];
      const max = this.opts.maxQueuedBatches ?? 200;
      while (this.queue.length > max) {
        const dropped = this.queue.shift() ?? [];
        this.giveUp(dropped, new CityTwinError("INFLUX_WRITE", "v1 send queue full"));
      }
    }
    if (this.sending === undefined && this.queue.length > 0) {
      this.sending = this.pump().finally(() => {
        this.sending = undefined;
        if (this.queue.length > 0 && !this.stopped) this.cut();
      });
    }
  }

  private async pump(): Promise<void> {
    for (let batch = this.queue.shift(); batch !== undefined; batch = this.queue.shift()) {
      await this.send(batch);
    }
  }

  private async send(batch: string[]): Promise<void> {
    const body = batch.join("\n");
    const base = this.opts.retryBaseMs ?? 200;
    for (let attempt = 0; ; attempt++) {
      let retryable: boolean;
      let error: Error;
      try {
        const res = await fetch(this.url, {
          method: "POST",
          headers: { "content-type": "text/plain; charset=utf-8", ...v1AuthHeaders(this.opts.target) },
          body,
        });
        if (res.status === 204 || res.ok) {
          await res.body?.cancel();
          this.opts.metrics.influxPoints.inc({ sink: this.name }, batch.length);
          return;
        }
        const text = (await res.text()).slice(0, 500);
        retryable = res.status >= 500 || res.status === 429;
        error = new CityTwinError("INFLUX_WRITE", `InfluxDB v1 /write answered ${res.status}: ${text}`);
      } catch (cause) {
        retryable = true;
        error = new CityTwinError("INFLUX_WRITE", "InfluxDB v1 /write request failed", { cause });
      }
      this.opts.metrics.influxFailures.inc({ sink: this.name });
      if (!retryable || attempt >= this.opts.maxRetries || this.stopped) {
        this.giveUp(batch, error);
        return;
      }
      this.opts.logger.warn(
        { err: error, attempt: attempt + 1, lines: batch.length },
        "influx v1 write failed, retrying",
      );
      await new Promise((r) => setTimeout(r, Math.min(base * 2 ** attempt, 30_000)));
    }
  }

  private giveUp(lines: string[], error: Error): void {
    this.opts.metrics.influxDropped.inc({ sink: this.name }, lines.length);
    this.opts.logger.error({ err: error, lines: lines.length }, "influx v1 write given up");
    this.opts.onWriteFailed(this.name, lines, error);
  }
}
