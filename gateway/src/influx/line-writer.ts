/**
 * The InfluxDB write loop shared by the v1 and v2 writers: line-protocol bodies of up to
 * `batchSize` lines, cut in order and POSTed with up to `concurrency` requests in flight
 * (default 4), so batches may reach InfluxDB out of order. Each batch's effect on the
 * journal cursor is applied in cut order: a batch that completes early waits for every
 * earlier one (and none after a batch left unwritten at stop is applied).
 *
 * With the ingest journal (`journal` set) nothing acknowledged is given up:
 *  - Each `write(readings, recordNo)` names the journal record the readings came from; once
 *    the batch holding a record's last line got HTTP 2xx, the record is done on the sink's
 *    cursor (a record with no lines is done with the batch it falls into).
 *  - Network errors, 5xx and 429 are retried forever with capped exponential backoff.
 *  - Non-retryable 4xx: the batch goes to `onWriteFailed` (dead letters), is counted
 *    (`citytwin_influx_points_dead_lettered_total`) and its records are done.
 *  - Live mode keeps at most `maxQueuedLines` queued in memory (besides the batches in
 *    flight). Past that (InfluxDB down or slow), when a record was shed before reaching the
 *    sink (`missed`), when a missing record has blocked the cursor for `holeTimeoutMs`, or
 *    at start with the cursor behind the journal:
 *    the in-memory backlog is dropped (it is in the journal) and the writer catches up,
 *    re-reading records from its cursor (journal/replay.ts) until it reaches the journal's
 *    end, then goes live again. Live lines for records the catch-up also wrote are written
 *    twice; InfluxDB overwrites identical points (same measurement, tags and timestamp), so
 *    that is idempotent.
 * Without a journal: retries stop after `maxRetries` and the send queue drops its oldest
 * batch when full; both are counted (`citytwin_influx_points_dropped_total`) and go to
 * `onWriteFailed`.
 */
import type { Logger } from "pino";
import { CityTwinError } from "@citytwin/model";
import type { SinkCursor } from "../journal/cursor";
import type { IngestJournal } from "../journal/journal";
import type { CatchUpSource } from "../journal/replay";
import type { AcceptedReading } from "../ingest/validate";
import type { GatewayMetrics } from "../metrics";
import { pointLine } from "./line-protocol";
import type { Sink, WriteFailedHandler } from "./sink";

export interface SinkJournal {
  journal: IngestJournal;
  cursor: SinkCursor;
  catchUp: CatchUpSource;
  /** How long a missing record may block the cursor before catching up (default 10 s). */
  holeTimeoutMs?: number;
}

export interface LineWriterOptions {
  batchSize: number;
  flushIntervalMs: number;
  /** Without a journal: attempts before a batch is given up. */
  maxRetries: number;
  /** Lines held in memory (buffer + send queue, not in flight); default 50 batches. */
  maxQueuedLines?: number;
  /** POSTs in flight (default 4); the journal cursor still commits in batch order. */
  concurrency?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  logger: Logger;
  metrics: GatewayMetrics;
  onWriteFailed: WriteFailedHandler;
  journal?: SinkJournal;
}

/** What one POST of a line-protocol body came to. */
export type PostOutcome = { ok: true } | { ok: false; status?: number; message: string };

export interface WriteTarget {
  name: string;
  /** POSTs one body; resolves (never rejects) with the outcome. A missing status is a network error. */
  post(body: string): Promise<PostOutcome>;
  /** Releases kept-alive connections (after the last post). */
  close?(): void;
}

export function describeCause(cause: unknown): string {
  const c = cause as { message?: unknown; cause?: { code?: unknown; message?: unknown } };
  const inner = c.cause?.code ?? c.cause?.message;
  return `${String(c.message ?? cause)}${inner === undefined ? "" : ` (${String(inner)})`}`;
}

interface Batch {
  /** A catch-up batch's lines may still be decoding (on a decode thread). */
  lines: string[] | Promise<string[]>;
  /** Records whose last line is in this batch. */
  records: number[];
  /** Catch-up batch: every record ≤ through. */
  through?: number;
}

interface LiveBatch extends Batch {
  lines: string[];
  through?: undefined;
}

/** A dequeued batch's journal effect (not its lines); `done` once written or dead-lettered. */
interface Slot {
  records: number[];
  through?: number;
  done: boolean;
}

export class LineWriter implements Sink {
  readonly name: string;
  private lines: string[] = [];
  private records: number[] = [];
  private queue: LiveBatch[] = [];
  private queuedLines = 0;
  private mode: "live" | "catch-up" = "live";
  private catchUpNext = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Senders, each one POST (with its retries) at a time; at most `concurrency`. */
  private readonly pumps = new Set<Promise<void>>();
  /** Dequeued batches in cut order; committed from the head while the head is done. */
  private slots: Slot[] = [];
  private stopping = false;

  constructor(
    private readonly target: WriteTarget,
    private readonly opts: LineWriterOptions,
  ) {
    this.name = target.name;
  }

  /** "catch-up" while re-reading the journal. */
  get state(): "live" | "catch-up" {
    return this.mode;
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.slots = []; // left by a stop with lines unwritten: the journal replays them
    this.timer = setInterval(() => this.tick(), this.opts.flushIntervalMs);
    this.timer.unref();
    const j = this.opts.journal;
    if (j !== undefined && j.cursor.position < j.journal.lastNo)
      this.catchUp("cursor behind journal at start");
  }

  write(readings: readonly AcceptedReading[], record?: number): void {
    if (record !== undefined && this.mode === "catch-up") return; // read back from the journal
    for (const r of readings) {
      this.lines.push(pointLine(r.sensor.series, r.value, r.quality, r.ts));
      if (this.lines.length >= this.opts.batchSize) this.cut();
    }
    if (record !== undefined) this.records.push(record);
  }

  /** Writes raw line-protocol lines (tests, tools); not tied to the journal. */
  writeLines(lines: readonly string[]): void {
    for (const l of lines) {
      this.lines.push(l);
      if (this.lines.length >= this.opts.batchSize) this.cut();
    }
  }

  missed(record: number): void {
    if (this.mode === "live" && record > (this.opts.journal?.cursor.position ?? Infinity))
      this.catchUp(`record ${record} shed before the sink`);
  }

  /** Resolves once the queue is drained and nothing is in flight (stopping: once the senders quit). */
  async flush(): Promise<void> {
    this.cut();
    while (this.pumps.size > 0) await Promise.all(this.pumps);
  }

  /** Drains what is in memory (one attempt per batch when InfluxDB fails; the journal keeps it). */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping = true;
    await this.flush();
    this.target.close?.();
  }

  private tick(): void {
    this.cut();
    const j = this.opts.journal;
    if (j !== undefined && this.mode === "live" && j.cursor.blockedFor() > (j.holeTimeoutMs ?? 10_000))
      this.catchUp(`record ${j.cursor.position + 1} never reached the sink`);
  }

  /** Moves the buffered lines into the send queue and kicks the sender. */
  private cut(): void {
    if (this.lines.length > 0 || this.records.length > 0) {
      this.queue.push({ lines: this.lines, records: this.records });
      this.queuedLines += this.lines.length;
      this.lines = [];
      this.records = [];
      const max = this.opts.maxQueuedLines ?? this.opts.batchSize * 50;
      if (this.queuedLines > max) {
        if (this.opts.journal !== undefined) this.catchUp(`more than ${max} lines queued`);
        while (this.queuedLines > max) {
          const dropped = this.queue.shift() as LiveBatch;
          this.queuedLines -= dropped.lines.length;
          this.giveUp(dropped.lines, new CityTwinError("INFLUX_WRITE", `${this.name} send queue full`));
        }
      }
    }
    this.kick();
  }

  private catchUp(why: string): void {
    const j = this.opts.journal as SinkJournal;
    if (this.mode === "live") {
      this.opts.metrics.sinkCatchUps.inc({ sink: this.name });
      this.opts.logger.warn(
        { why, from: j.cursor.position + 1, to: j.journal.lastNo },
        "catching up from the journal",
      );
    }
    this.mode = "catch-up";
    this.catchUpNext = j.cursor.position + 1;
    this.queue = [];
    this.queuedLines = 0;
    this.lines = [];
    this.records = [];
    this.kick();
  }

  /** Starts senders while there is work and fewer than `concurrency` run (each takes a batch at once). */
  private kick(): void {
    const max = Math.max(1, this.opts.concurrency ?? 4);
    const more = () => this.queue.length > 0 || (this.mode === "catch-up" && !this.stopping);
    while (this.pumps.size < max && more()) {
      const pump: Promise<void> = this.pump().finally(() => {
        this.pumps.delete(pump);
        if (this.queue.length > 0 && !this.stopping) this.kick();
      });
      this.pumps.add(pump);
    }
  }

  /** Sends batches until none is left; quits when a send stops with its lines unwritten. */
  private async pump(): Promise<void> {
    for (;;) {
      const live = this.queue.shift();
      const batch: Batch | undefined = live ?? this.nextCatchUp();
      if (batch === undefined) return;
      if (live !== undefined) this.queuedLines -= live.lines.length;
      const slot: Slot = { records: batch.records, through: batch.through, done: false };
      this.slots.push(slot); // in cut order, before any await
      if (!(await this.send(await batch.lines))) return; // never done: nothing after it commits
      slot.done = true;
      this.commit();
    }
  }

  /** Applies done batches to the cursor in cut order, stopping at the first one not done. */
  private commit(): void {
    const cursor = this.opts.journal?.cursor;
    while (this.slots[0]?.done === true) {
      const { records, through } = this.slots.shift() as Slot;
      if (through !== undefined) cursor?.doneThrough(through);
      for (const r of records) cursor?.done(r);
    }
  }

  /** The next catch-up batch; at the journal's end, live again (only the first sender to see it logs). */
  private nextCatchUp(): Batch | undefined {
    if (this.mode !== "catch-up" || this.stopping) return undefined;
    const j = this.opts.journal as SinkJournal;
    const next = j.catchUp(this.catchUpNext, this.opts.batchSize);
    if (next === undefined) {
      this.mode = "live";
      this.opts.logger.info({ position: this.catchUpNext - 1 }, "caught up with the journal, live again");
      return undefined;
    }
    this.catchUpNext = next.last + 1;
    return { lines: next.lines, records: [], through: next.last };
  }

  /** True once the lines are written or dead-lettered; false when stopping with them unwritten. */
  private async send(lines: string[]): Promise<boolean> {
    if (lines.length === 0) return true;
    const journaled = this.opts.journal !== undefined;
    const base = this.opts.retryBaseMs ?? 200;
    const body = lines.join("\n");
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.target.post(body);
      if (outcome.ok) {
        this.opts.metrics.influxPoints.inc({ sink: this.name }, lines.length);
        return true;
      }
      const { status } = outcome;
      const retryable = status === undefined || status >= 500 || status === 429;
      const error = new CityTwinError(
        "INFLUX_WRITE",
        status === undefined
          ? `${this.name} write request failed: ${outcome.message}`
          : `${this.name} write answered ${status}: ${outcome.message}`,
      );
      this.opts.metrics.influxFailures.inc({ sink: this.name });
      if (!retryable) {
        this.deadLetter(lines, error);
        return true;
      }
      if (this.stopping && journaled) return false;
      if (!journaled && (attempt >= this.opts.maxRetries || this.stopping)) {
        this.giveUp(lines, error);
        return true;
      }
      this.opts.logger.warn(
        { err: error, attempt: attempt + 1, lines: lines.length },
        "influx write failed, retrying",
      );
      await new Promise((r) =>
        setTimeout(r, Math.min(base * 2 ** Math.min(attempt, 20), this.opts.retryMaxMs ?? 5000)),
      );
    }
  }

  private deadLetter(lines: string[], error: Error): void {
    this.opts.metrics.influxDeadLettered.inc({ sink: this.name }, lines.length);
    this.opts.logger.error({ err: error, lines: lines.length }, "influx refused a batch, dead-lettered");
    this.opts.onWriteFailed(this.name, lines, error);
  }

  private giveUp(lines: string[], error: Error): void {
    this.opts.metrics.influxDropped.inc({ sink: this.name }, lines.length);
    this.opts.logger.error({ err: error, lines: lines.length }, "influx write given up");
    this.opts.onWriteFailed(this.name, lines, error);
  }
}
