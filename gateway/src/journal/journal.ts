/**
 * The durable ingest journal (docs/reliability.md, "Gateway ingest journal"). The broker
 * appends every authorised telemetry publish here before Aedes sends the QoS 1 PUBACK; the
 * InfluxDB sinks commit by record number (SinkCursor) and a segment is deleted once every
 * cursor is past it.
 *
 * Durability contract:
 *  - `append` writes the record with writeSync: once it returns, the record survives a
 *    process crash (kill -9), it is in the page cache.
 *  - fsync "interval": fsynced every `fsyncIntervalMs` (off the event loop), at rotation and
 *    at close; a power loss can lose that window. fsync "always": `whenDurable(cb)` calls
 *    back after a group-commit fsync (at most every `groupCommitMs`, off the event loop), and
 *    the broker holds the PUBACK for it.
 *  - Full: an append that would take the retained bytes over `maxBytes` is refused
 *    (undefined, counted, warned once per period); the broker then drops the connection
 *    without PUBACK and the edge keeps the batch.
 * Record numbers only grow, also across restarts and segment deletion (never below a cursor).
 */
import {
  closeSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import { fsyncDir, writeFileAtomic } from "@citytwin/model/node";
import type { GatewayMetrics } from "../metrics";
import { SinkCursor } from "./cursor";
import { encodeJournalRecord, type JournalRecord } from "./record";
import { openSegments, readSegment, segmentEnd, segmentName, type Segment } from "./segments";

export interface JournalOptions {
  dir: string;
  maxBytes: number;
  segmentBytes: number;
  fsync: "interval" | "always";
  fsyncIntervalMs: number;
  /** Group-commit window for fsync "always" (default 2 ms). */
  groupCommitMs?: number;
  /** Cursor persistence and segment deletion period (default 1000 ms). */
  commitIntervalMs?: number;
  now: () => number;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Called before segments holding records ≤ `upTo` are deleted (persist derived state). */
  beforeTrim?: (upTo: number) => void;
}

const REFUSAL_LOG_MS = 10_000;
const cursorFile = (name: string) => `cursor-${name}.json`;

export class IngestJournal {
  private segments: Segment[] = [];
  private fd: number | undefined;
  private next = 1;
  private bytes = 0;
  private unsynced = false;
  private readonly durableWaiters: (() => void)[] = [];
  private groupTimer: NodeJS.Timeout | undefined;
  /** An fsync is running on the libuv pool; `syncAgain`: another was asked for meanwhile. */
  private syncing = false;
  private syncAgain = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly cursors = new Map<string, SinkCursor>();
  private savedCursors = new Map<string, number>();
  private lastRefusalLog = 0;
  private refusedSinceLog = 0;
  private readonly segmentBytes: number;

  constructor(private readonly opts: JournalOptions) {
    this.segmentBytes = Math.max(1, Math.min(opts.segmentBytes, Math.floor(opts.maxBytes / 4)));
  }

  /** Opens (or creates) the journal; cuts and counts a torn tail. Call `start()` after cursors. */
  open(): void {
    const { dir, metrics } = this.opts;
    mkdirSync(dir, { recursive: true });
    const { segments, torn } = openSegments(dir);
    if (torn > 0) {
      metrics.journalTorn.inc(torn);
      this.opts.logger.warn({ dir, torn }, "ingest journal: torn tail cut at open");
    }
    for (const f of readdirSync(dir)) {
      const name = /^cursor-(.+)\.json$/.exec(f)?.[1];
      if (name !== undefined) this.savedCursors.set(name, readCursor(join(dir, f)));
    }
    this.segments = segments;
    this.bytes = segments.reduce((n, s) => n + s.size, 0);
    const last = segments.at(-1);
    this.next = Math.max(
      last === undefined ? 1 : segmentEnd(last),
      ...[...this.savedCursors.values()].map((p) => p + 1),
    );
    for (const seg of [...segments]) if (seg.offsets.length === 0) this.unlink(seg);
    this.rotate();
    this.gauges();
  }

  /** Starts the fsync and cursor timers (after every sink took its cursor). */
  start(): void {
    const { fsync, fsyncIntervalMs, commitIntervalMs } = this.opts;
    if (fsync === "interval") this.timers.push(setInterval(() => this.sync(), fsyncIntervalMs));
    this.timers.push(setInterval(() => this.commit(), commitIntervalMs ?? 1000));
    for (const t of this.timers) t.unref();
  }

  /** Number of the newest record (0 when none was ever written). */
  get lastNo(): number {
    return this.next - 1;
  }

  /** Number of the oldest retained record (lastNo + 1 when none is retained). */
  get firstNo(): number {
    return this.segments.find((s) => s.offsets.length > 0)?.first ?? this.next;
  }

  /** The cursor of sink `name`: its saved position, else just before the oldest retained record. */
  cursor(name: string): SinkCursor {
    let c = this.cursors.get(name);
    if (c === undefined) {
      // A saved position below the retained records (deleted by hand) starts at the oldest.
      const floor = this.firstNo - 1;
      c = new SinkCursor(name, Math.max(this.savedCursors.get(name) ?? floor, floor), this.opts.now);
      this.cursors.set(name, c);
    }
    return c;
  }

  /** Appends a record (synchronous); its number, or undefined when the journal is full. */
  append(gatewayId: string, payload: Buffer): number | undefined {
    const frame = encodeJournalRecord(this.next, this.opts.now(), gatewayId, payload);
    if (this.bytes + frame.length > this.opts.maxBytes) {
      this.refused();
      return undefined;
    }
    let seg = this.segments.at(-1) as Segment;
    if (seg.size > 0 && seg.size + frame.length > this.segmentBytes) seg = this.rotate();
    writeSync(this.fd as number, frame);
    seg.offsets.push(seg.size);
    seg.times.push(frame.readDoubleBE(16));
    seg.size += frame.length;
    this.bytes += frame.length;
    this.unsynced = true;
    this.opts.metrics.journalBytes.set(this.bytes);
    this.opts.metrics.journalRecords.inc();
    return this.next++;
  }

  /** Calls `cb` once what was appended so far is as durable as the fsync policy promises. */
  whenDurable(cb: () => void): void {
    if (this.opts.fsync === "interval") return cb();
    this.durableWaiters.push(cb);
    this.groupTimer ??= setTimeout(() => this.sync(), this.opts.groupCommitMs ?? 2);
  }

  /** Records `from`, `from+1`, … (about `maxBytes` of them, from one segment); [] past the end. */
  read(from: number, maxBytes = 1024 * 1024): JournalRecord[] {
    const seg = this.segments.findLast((s) => s.first <= from);
    if (seg === undefined || from >= segmentEnd(seg)) return [];
    return readSegment(seg, from, maxBytes);
  }

  /** Persists dirty cursors, deletes segments every cursor is past, updates the gauges. */
  commit(): void {
    for (const c of this.cursors.values()) {
      if (!c.dirty) continue;
      c.dirty = false;
      writeFileAtomic(
        join(this.opts.dir, cursorFile(c.name)),
        JSON.stringify({ v: 1, position: c.position }),
      );
    }
    const upTo = this.committedNo();
    const done = this.segments.filter((s, i) => i < this.segments.length - 1 && segmentEnd(s) - 1 <= upTo);
    if (done.length > 0) {
      this.opts.beforeTrim?.(upTo);
      for (const seg of done) this.unlink(seg);
    }
    this.gauges();
  }

  /** Graceful stop: persist cursors, fsync, close. */
  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.sync();
    this.commit();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Every record ≤ this is done by every sink (nothing without cursors: keep all). */
  private committedNo(): number {
    if (this.cursors.size === 0) return this.firstNo - 1;
    return Math.min(...[...this.cursors.values()].map((c) => c.position));
  }

  /**
   * fsyncs what was appended so far off the event loop (a slow disk under InfluxDB's own WAL
   * writes blocked ingest for up to 9 ms per fsync), then calls the waiters it covers. A
   * rotation meanwhile fsyncs and closes the fd itself, so EBADF means already durable. Any
   * other failure is fatal, as fsyncSync's was: a failed fsync cannot be retried safely, the
   * process exits and the journal is read back at restart.
   */
  private sync(): void {
    if (this.groupTimer !== undefined) clearTimeout(this.groupTimer);
    this.groupTimer = undefined;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    const waiters = this.durableWaiters.splice(0);
    const fd = this.fd;
    if (!this.unsynced || fd === undefined) {
      for (const cb of waiters) cb();
      return;
    }
    this.unsynced = false;
    this.syncing = true;
    fsync(fd, (err) => {
      this.syncing = false;
      if (err !== null && err.code !== "EBADF") {
        this.opts.logger.fatal({ err, dir: this.opts.dir }, "ingest journal fsync failed");
        throw err;
      }
      for (const cb of waiters) cb();
      if (this.syncAgain) {
        this.syncAgain = false;
        this.sync();
      }
    });
  }

  private rotate(): Segment {
    if (this.fd !== undefined) {
      fsyncSync(this.fd);
      closeSync(this.fd);
    }
    const seg: Segment = {
      first: this.next,
      path: join(this.opts.dir, segmentName(this.next)),
      size: 0,
      offsets: [],
      times: [],
    };
    this.fd = openSync(seg.path, "a");
    fsyncDir(this.opts.dir);
    this.segments.push(seg);
    return seg;
  }

  private unlink(seg: Segment): void {
    unlinkSync(seg.path);
    this.segments = this.segments.filter((s) => s !== seg);
    this.bytes -= seg.size;
  }

  private refused(): void {
    this.opts.metrics.journalRefused.inc();
    this.refusedSinceLog++;
    const now = this.opts.now();
    if (now - this.lastRefusalLog < REFUSAL_LOG_MS) return;
    this.opts.logger.warn(
      { dir: this.opts.dir, bytes: this.bytes, maxBytes: this.opts.maxBytes, refused: this.refusedSinceLog },
      "ingest journal full: telemetry refused without PUBACK (edges keep and retry it)",
    );
    this.lastRefusalLog = now;
    this.refusedSinceLog = 0;
  }

  private gauges(): void {
    const m = this.opts.metrics;
    m.journalBytes.set(this.bytes);
    const first = this.firstNo;
    m.journalRecords.set(this.next - first);
    const oldest = this.committedNo() + 1;
    const seg = this.segments.findLast((s) => s.first <= oldest);
    const t = seg?.times[oldest - (seg?.first ?? 0)];
    m.journalOldestAge.set(t === undefined ? 0 : Math.max(0, (this.opts.now() - t) / 1000));
  }
}

function readCursor(path: string): number {
  try {
    const c = JSON.parse(readFileSync(path, "utf8")) as { v?: unknown; position?: unknown };
    if (c.v === 1 && typeof c.position === "number" && Number.isInteger(c.position)) return c.position;
  } catch {
    // unreadable: fall through
  }
  return 0;
}
