/**
 * Outbound queue of serialised batches awaiting PUBACK. Two implementations: this in-memory
 * one (bounded in items, lost on restart) and DiskOutboundQueue (durable, bounded in bytes).
 * When full, an implementation evicts pending batches (never in-flight ones), counts them and
 * records their seq ranges in its gap map, so "dropped at the edge" is reported, never silent.
 *
 * Item lifecycle: push → takeNext (in flight) → ack (removed) | release (pending again, in
 * seq order). `open` must be called once before use with the stream's epoch and last seq.
 */
import { GapMap, type SeqRange } from "./gap-map";

export interface OutboundItem {
  seq: number;
  payload: string;
  readings: number;
}

export interface QueueStats {
  pending: number;
  inFlight: number;
  /** Bytes held (disk: segment bytes; memory: payload bytes). */
  bytes: number;
  evictedBatches: number;
  evictedReadings: number;
  evictedBytes: number;
  /** Batches found missing at recovery (power loss / torn tail). */
  lostBatches: number;
  tornRecords: number;
}

export interface OutboundQueue {
  /** Recovers state; returns the highest seq held (0 when none). */
  open(epoch: number, lastSeq: number): { highestSeq: number };
  /** Appends; returns how many pending batches were evicted to make room. */
  push(item: OutboundItem): number;
  /** The oldest pending item with seq > afterSeq (default: any), now in flight. */
  takeNext(afterSeq?: number): OutboundItem | undefined;
  /** PUBACK received: forget the item. */
  ack(seq: number): void;
  /** Delivery failed: the item becomes pending again, ahead of newer ones. */
  release(seq: number): void;
  readonly pending: number;
  readonly inFlight: number;
  /** Batches evicted so far (same as stats().evictedBatches). */
  readonly evicted: number;
  stats(): QueueStats;
  /** Seq ranges dropped at the edge (evicted or lost), oldest first. */
  gaps(): SeqRange[];
  /** Flushes durable state; no-op in memory. */
  close(): void;
}

export class MemoryOutboundQueue implements OutboundQueue {
  private readonly waiting: OutboundItem[] = [];
  private readonly flying = new Map<number, OutboundItem>();
  private readonly gapMap = new GapMap();
  private epoch = 0;
  private bytes = 0;
  private readonly c = { evictedBatches: 0, evictedReadings: 0, evictedBytes: 0 };

  constructor(private readonly maxItems = 1000) {}

  open(epoch: number): { highestSeq: number } {
    this.epoch = epoch;
    return { highestSeq: 0 };
  }

  push(item: OutboundItem): number {
    this.waiting.push(item);
    this.bytes += item.payload.length;
    if (this.waiting.length + this.flying.size > this.maxItems && this.waiting.length > 0) {
      const old = this.waiting.shift() as OutboundItem;
      this.bytes -= old.payload.length;
      this.c.evictedBatches++;
      this.c.evictedReadings += old.readings;
      this.c.evictedBytes += old.payload.length;
      this.gapMap.add(this.epoch, old.seq, old.seq, "evicted");
      return 1;
    }
    return 0;
  }

  takeNext(afterSeq = 0): OutboundItem | undefined {
    const i = this.waiting.findIndex((w) => w.seq > afterSeq);
    if (i < 0) return undefined;
    const [item] = this.waiting.splice(i, 1) as [OutboundItem];
    this.flying.set(item.seq, item);
    return item;
  }

  ack(seq: number): void {
    const item = this.flying.get(seq);
    if (item === undefined) return;
    this.flying.delete(seq);
    this.bytes -= item.payload.length;
  }

  release(seq: number): void {
    const item = this.flying.get(seq);
    if (item === undefined) return;
    this.flying.delete(seq);
    const at = this.waiting.findIndex((w) => w.seq > seq);
    if (at === -1) this.waiting.push(item);
    else this.waiting.splice(at, 0, item);
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
    return {
      pending: this.pending,
      inFlight: this.inFlight,
      bytes: this.bytes,
      ...this.c,
      lostBatches: 0,
      tornRecords: 0,
    };
  }

  gaps(): SeqRange[] {
    return this.gapMap.ranges();
  }

  close(): void {}
}
