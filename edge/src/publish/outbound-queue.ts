/**
 * Outbound queue of serialised batches awaiting PUBACK. The in-memory implementation is
 * bounded: when full, the oldest batch not yet handed to MQTT is evicted and counted (the
 * gateway sees the gap in `seq`). A disk-backed queue can replace it behind this interface.
 *
 * Item lifecycle: push → (takeNext) in flight → ack (removed) | release (back to pending,
 * in seq order).
 */
export interface OutboundItem {
  seq: number;
  payload: string;
  readings: number;
}

export interface OutboundQueue {
  /** Appends; returns the evicted item when the queue was full. */
  push(item: OutboundItem): OutboundItem | undefined;
  /** The oldest pending item, now in flight; undefined when none pending. */
  takeNext(): OutboundItem | undefined;
  /** PUBACK received: forget the item. */
  ack(seq: number): void;
  /** Delivery failed: the item becomes pending again, ahead of newer ones. */
  release(seq: number): void;
  readonly pending: number;
  readonly inFlight: number;
  readonly evicted: number;
}

export class MemoryOutboundQueue implements OutboundQueue {
  private readonly waiting: OutboundItem[] = [];
  private readonly flying = new Map<number, OutboundItem>();
  private evictedCount = 0;

  constructor(private readonly maxItems = 1000) {}

  push(item: OutboundItem): OutboundItem | undefined {
    this.waiting.push(item);
    if (this.waiting.length + this.flying.size > this.maxItems && this.waiting.length > 0) {
      this.evictedCount++;
      return this.waiting.shift();
    }
    return undefined;
  }

  takeNext(): OutboundItem | undefined {
    const item = this.waiting.shift();
    if (item !== undefined) this.flying.set(item.seq, item);
    return item;
  }

  ack(seq: number): void {
    this.flying.delete(seq);
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
    return this.evictedCount;
  }
}
