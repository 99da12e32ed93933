/**
 * Durable outbound queue (see docs/edge-store-and-forward.md). Layout under `dir`:
 *   seg-<id>.log      append-only segments of CRC-checked records (segment-file.ts)
 *   queue-state.json  {epoch, settled ranges, gap map, counters}, replaced atomically
 * A seq is "settled" once acked, evicted or declared lost; a segment file is unlinked after
 * every record in it is settled and the state saying so is on disk.
 *
 * Durability: appends go to the page cache at once (they survive kill -9) and are fsynced every
 * `fsyncIntervalMs` or `fsyncBytes`, at segment rotation and at close. A power loss can lose
 * the unsynced tail; at open every seq ≤ the sequence store's lastSeq that is neither settled
 * nor found intact is recorded as "lost" in the gap map, so the loss is always reported.
 *
 * Eviction (maxBytes): after an append that takes the total over maxBytes, whole segments are
 * dropped oldest first, skipping the active segment and any segment holding an in-flight
 * batch; their pending batches are counted and their seq ranges recorded as "evicted".
 */
import { closeSync, fsyncSync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir, writeFileAtomic } from "@citytwin/model/node";
import { GapMap, RangeSet, type SeqRange } from "./gap-map";
import type { OutboundItem, OutboundQueue, QueueStats } from "./outbound-queue";
import {
  recover,
  segName,
  STATE_FILE,
  type Counters,
  type Rec,
  type Segment,
  type StateFile,
} from "./queue-recovery";
import { encodeRecord, readPayload } from "./segment-file";

export interface DiskQueueOptions {
  dir: string;
  /** Byte quota for all segment files. */
  maxBytes: number;
  /** Target segment size; capped at maxBytes/4 so eviction has whole segments to drop. */
  segmentBytes?: number;
  fsyncIntervalMs: number;
  /** fsync early once this many bytes are unsynced (default 1 MiB). */
  fsyncBytes?: number;
}

export class DiskOutboundQueue implements OutboundQueue {
  private epoch = 0;
  private settled = new RangeSet();
  private gapMap = new GapMap();
  private c: Counters = {
    evictedBatches: 0,
    evictedReadings: 0,
    evictedBytes: 0,
    lostBatches: 0,
    tornRecords: 0,
  };
  private segments: Segment[] = [];
  private active: { seg: Segment; fd: number } | undefined;
  private waiting: Rec[] = [];
  private readonly flying = new Map<number, Rec>();
  private bytes = 0;
  private nextId = 1;
  private unsynced = 0;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly segmentBytes: number;

  constructor(private readonly opts: DiskQueueOptions) {
    this.segmentBytes = Math.max(
      1,
      Math.min(opts.segmentBytes ?? 1024 * 1024, Math.floor(opts.maxBytes / 4)),
    );
  }

  open(epoch: number, lastSeq: number): { highestSeq: number } {
    mkdirSync(this.opts.dir, { recursive: true });
    this.epoch = epoch;
    const r = recover(this.opts.dir, epoch, lastSeq);
    this.settled = r.settled;
    this.gapMap = r.gapMap;
    this.c = r.counters;
    this.segments = r.segments;
    this.waiting = r.waiting;
    this.nextId = r.nextId;
    this.bytes = r.segments.reduce((n, seg) => n + seg.size, 0);
    this.saveState();
    for (const seg of [...this.segments]) if (seg.live === 0) this.dropSegment(seg);
    this.rotate();
    this.timer = setInterval(() => this.sync(), this.opts.fsyncIntervalMs);
    this.timer.unref();
    return { highestSeq: r.highestSeq };
  }

  push(item: OutboundItem): number {
    const buf = encodeRecord(this.epoch, item.seq, item.readings, item.payload);
    let act = this.requireActive();
    if (act.seg.size > 0 && act.seg.size + buf.length > this.segmentBytes) act = this.rotate();
    writeSync(act.fd, buf);
    const rec: Rec = {
      seq: item.seq,
      readings: item.readings,
      seg: act.seg,
      offset: act.seg.size,
      size: buf.length,
    };
    act.seg.size += buf.length;
    act.seg.live++;
    this.bytes += buf.length;
    this.unsynced += buf.length;
    const last = this.waiting.at(-1);
    if (last === undefined || last.seq < item.seq) this.waiting.push(rec);
    else this.insert(rec);
    if (this.unsynced >= (this.opts.fsyncBytes ?? 1024 * 1024)) this.sync();
    return this.enforceQuota();
  }

  takeNext(afterSeq = 0): OutboundItem | undefined {
    for (;;) {
      const i = afterSeq <= 0 ? 0 : this.firstAfter(afterSeq);
      const rec = this.waiting[i];
      if (rec === undefined) return undefined;
      this.waiting.splice(i, 1);
      let payload: string;
      try {
        payload = readPayload(rec.seg.path, rec.offset, rec.size);
      } catch {
        // Damaged on disk after recovery: reported as lost, never sent half-read.
        this.lose(this.epoch, rec.seq, rec.seq, 1);
        this.settle(rec);
        continue;
      }
      this.flying.set(rec.seq, rec);
      rec.seg.flying++;
      return { seq: rec.seq, readings: rec.readings, payload };
    }
  }

  ack(seq: number): void {
    const rec = this.flying.get(seq);
    if (rec === undefined) return;
    this.flying.delete(seq);
    rec.seg.flying--;
    this.settle(rec);
  }

  release(seq: number): void {
    const rec = this.flying.get(seq);
    if (rec === undefined) return;
    this.flying.delete(seq);
    rec.seg.flying--;
    this.insert(rec);
  }

  get pending(): number {
    return this.waiting.length;
  }

  get inFlight(): number {
    return this.flying.size;
  }

  get evicted(): number {
    return this.c.evictedBatches;
  }

  stats(): QueueStats {
    return { pending: this.pending, inFlight: this.inFlight, bytes: this.bytes, ...this.c };
  }

  gaps(): SeqRange[] {
    return this.gapMap.ranges();
  }

  /** fsyncs the active segment and writes the state; the queue is unusable afterwards. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.sync(true);
    if (this.active !== undefined) closeSync(this.active.fd);
    this.active = undefined;
  }

  /** Periodic durability point: fsync unsynced appends, then persist the settled set. */
  private sync(force = false): void {
    if (this.active !== undefined && this.unsynced > 0) {
      fsyncSync(this.active.fd);
      this.unsynced = 0;
    }
    if (this.dirty || force) this.saveState();
  }

  private settle(rec: Rec): void {
    this.settled.add(rec.seq);
    this.dirty = true;
    rec.seg.live--;
    if (rec.seg.live === 0 && rec.seg !== this.active?.seg && this.active !== undefined) {
      this.saveState();
      this.dropSegment(rec.seg);
    }
  }

  private enforceQuota(): number {
    let evicted = 0;
    while (this.bytes > this.opts.maxBytes) {
      const seg = this.segments.find((s) => s !== this.active?.seg && s.flying === 0);
      if (seg === undefined) break; // only the active segment / in-flight window left
      const keep: Rec[] = [];
      for (const r of this.waiting) {
        if (r.seg !== seg) {
          keep.push(r);
          continue;
        }
        this.settled.add(r.seq);
        this.gapMap.add(this.epoch, r.seq, r.seq, "evicted");
        this.c.evictedBatches++;
        this.c.evictedReadings += r.readings;
        this.c.evictedBytes += r.size;
        evicted++;
      }
      this.waiting = keep;
      seg.live = 0;
      this.saveState();
      this.dropSegment(seg);
    }
    return evicted;
  }

  private lose(epoch: number, from: number, to: number, n: number): void {
    this.gapMap.add(epoch, from, to, "lost");
    if (epoch === this.epoch) this.settled.addRange(from, to);
    this.c.lostBatches += n;
  }

  private rotate(): { seg: Segment; fd: number } {
    if (this.active !== undefined) {
      fsyncSync(this.active.fd);
      closeSync(this.active.fd);
      this.unsynced = 0;
      const old = this.active.seg;
      this.active = undefined;
      if (old.live === 0) {
        this.saveState();
        this.dropSegment(old);
      }
    }
    const id = this.nextId++;
    const seg: Segment = { id, path: join(this.opts.dir, segName(id)), size: 0, live: 0, flying: 0 };
    const fd = openSync(seg.path, "a");
    fsyncDir(this.opts.dir);
    this.segments.push(seg);
    this.active = { seg, fd };
    return this.active;
  }

  private dropSegment(seg: Segment): void {
    unlinkSync(seg.path);
    this.segments = this.segments.filter((s) => s !== seg);
    this.bytes -= seg.size;
  }

  private requireActive(): { seg: Segment; fd: number } {
    if (this.active === undefined) throw new Error("disk queue not open");
    return this.active;
  }

  private firstAfter(seq: number): number {
    let lo = 0;
    let hi = this.waiting.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.waiting[mid] as Rec).seq > seq) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private insert(rec: Rec): void {
    this.waiting.splice(this.firstAfter(rec.seq), 0, rec);
  }

  private saveState(): void {
    const st: StateFile = {
      v: 1,
      epoch: this.epoch,
      settled: this.settled.toJSON(),
      gaps: this.gapMap.ranges(),
      counters: this.c,
    };
    writeFileAtomic(join(this.opts.dir, STATE_FILE), JSON.stringify(st));
    this.dirty = false;
  }
}
