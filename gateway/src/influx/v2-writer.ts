/**
 * InfluxDB 2.x / 3.x / Cloud writer through the official client's write API
 * (`POST /api/v2/write?org=&bucket=&precision=ms`). The client batches (`batchSize`), flushes
 * every `flushIntervalMs` and retries with backoff. It keeps unsent lines only in memory and
 * drops them on HTTP 400/401/404, when retries run out, and when its retry buffer overflows;
 * each of those reaches `onWriteFailed` here (the durable-spill seam) and is counted.
 */
import { InfluxDB, type WriteApi } from "@influxdata/influxdb-client";
import type { Logger } from "pino";
import { CityTwinError } from "@citytwin/model";
import type { InfluxV2Resolved } from "../config/load";
import type { AcceptedReading } from "../ingest/validate";
import type { GatewayMetrics } from "../metrics";
import { pointLine } from "./line-protocol";
import type { Sink, WriteFailedHandler } from "./sink";

export interface V2WriterOptions {
  target: InfluxV2Resolved;
  batchSize: number;
  flushIntervalMs: number;
  maxRetries: number;
  logger: Logger;
  metrics: GatewayMetrics;
  onWriteFailed: WriteFailedHandler;
}

/** HTTP statuses on which the client gives a batch up without retrying. */
function isFinal(error: Error): boolean {
  const status = (error as { statusCode?: number }).statusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}

export class InfluxV2Writer implements Sink {
  readonly name = "influx-v2";
  private api: WriteApi | undefined;
  private buffered: string[] = [];

  constructor(private readonly opts: V2WriterOptions) {}

  async start(): Promise<void> {
    const { target, metrics, logger, onWriteFailed } = this.opts;
    const name = this.name;
    const maxRetries = this.opts.maxRetries;
    this.api = new InfluxDB({ url: target.url, token: target.token }).getWriteApi(
      target.org,
      target.bucket,
      "ms",
      {
        batchSize: this.opts.batchSize,
        flushInterval: this.opts.flushIntervalMs,
        maxRetries,
        writeFailed(error, lines, attempt) {
          metrics.influxFailures.inc({ sink: name });
          if (isFinal(error) || attempt > maxRetries) {
            metrics.influxDropped.inc({ sink: name }, lines.length);
            logger.error({ err: error, lines: lines.length, attempt }, "influx v2 write given up");
            onWriteFailed(
              name,
              lines,
              new CityTwinError("INFLUX_WRITE", "InfluxDB v2 write failed", { cause: error }),
            );
          } else {
            logger.warn({ err: error, lines: lines.length, attempt }, "influx v2 write failed, retrying");
          }
          return undefined;
        },
        writeSuccess(lines) {
          metrics.influxPoints.inc({ sink: name }, lines.length);
        },
        writeRetrySkipped(entry) {
          metrics.influxDropped.inc({ sink: name }, entry.lines.length);
          onWriteFailed(
            name,
            entry.lines,
            new CityTwinError("INFLUX_WRITE", "InfluxDB v2 retry buffer overflow"),
          );
        },
      },
    );
  }

  write(readings: readonly AcceptedReading[]): void {
    const api = this.api;
    if (api === undefined) return;
    const lines = this.buffered;
    for (const r of readings) lines.push(pointLine(r.sensor.series, r.value, r.quality, r.ts));
    api.writeRecords(lines);
    lines.length = 0;
  }

  /** Writes raw line-protocol lines. */
  writeLines(lines: string[]): void {
    this.api?.writeRecords(lines);
  }

  async flush(): Promise<void> {
    // A failed flush has already been reported through writeFailed.
    await this.api?.flush().catch(() => undefined);
  }

  async stop(): Promise<void> {
    const api = this.api;
    this.api = undefined;
    await api?.close().catch((err: unknown) => this.opts.logger.error({ err }, "influx v2 close failed"));
  }
}
