/**
 * Dead letters: what was refused and why. A bounded in-memory ring (GET /api/rejections)
 * plus, when configured, an append-only JSONL file (one record per line). Payloads are
 * truncated to `PAYLOAD_PREVIEW` characters; nothing secret passes through here.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import type { Logger } from "pino";
import type { RejectReason } from "@citytwin/model";

export const PAYLOAD_PREVIEW = 512;

export interface DeadLetter {
  at: number;
  /**
   * An ingest rejection; INFLUX_REFUSED: lines a sink's InfluxDB refused outright (4xx);
   * COMMAND_INVALID: a refused command request (http/command-routes.ts).
   */
  reason: RejectReason | "INFLUX_REFUSED" | "COMMAND_INVALID";
  message: string;
  topic: string;
  gatewayId?: string;
  clientId?: string;
  epoch?: number;
  seq?: number;
  /** Readings (or messages) this record stands for. */
  count: number;
  payload?: string;
}

export class DeadLetters {
  private readonly ring: (DeadLetter | undefined)[];
  private head = 0;
  private size = 0;
  private stream: WriteStream | undefined;
  total = 0;

  constructor(
    private readonly capacity: number,
    private readonly file: string | undefined,
    private readonly logger: Logger,
  ) {
    this.ring = new Array<DeadLetter | undefined>(capacity);
  }

  async start(): Promise<void> {
    if (this.file === undefined) return;
    const stream = createWriteStream(this.file, { flags: "a" });
    stream.on("error", (err) => this.logger.error({ err, file: this.file }, "dead-letter file write failed"));
    this.stream = stream;
  }

  async stop(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    if (s !== undefined) await new Promise<void>((r) => s.end(r));
  }

  static preview(payload: Buffer | undefined): string | undefined {
    if (payload === undefined) return undefined;
    const text = payload.subarray(0, PAYLOAD_PREVIEW * 4).toString("utf8");
    return text.length > PAYLOAD_PREVIEW ? `${text.slice(0, PAYLOAD_PREVIEW)}…` : text;
  }

  add(record: DeadLetter): void {
    this.ring[this.head] = record;
    this.head = (this.head + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    this.total++;
    this.stream?.write(`${JSON.stringify(record)}\n`);
  }

  /** Most recent first. */
  recent(limit = this.capacity): DeadLetter[] {
    const out: DeadLetter[] = [];
    for (let i = 1; i <= Math.min(this.size, limit); i++) {
      const r = this.ring[(this.head - i + this.capacity) % this.capacity];
      if (r !== undefined) out.push(r);
    }
    return out;
  }
}
