/**
 * The bounded hand-off between the broker's `published` hook and the ingest worker.
 * `offer()` is synchronous and O(1). Backpressure is explicit:
 *  - depth < highWater: the publish completes at once.
 *  - highWater ≤ depth < max: the message is queued but the publish's completion callback is
 *    held until the queue drains below highWater/2. Aedes reads no further packets from that
 *    client meanwhile, so TCP pushes back on the sender (QoS 1 PUBACK for the held message has
 *    already been sent; the message itself is queued, not lost). Counted.
 *  - depth ≥ max: the message is shed (counted by the caller; with the ingest journal the
 *    sinks read it back from there). Only reachable when very many clients publish at once,
 *    since each held client stops sending.
 */
export interface IngestItem {
  kind: "telemetry" | "status";
  gatewayId: string;
  clientId: string;
  topic: string;
  payload: Buffer;
  /** Ingest journal record number of a journaled telemetry publish (journal/journal.ts). */
  journalRecord?: number;
}

export type OfferResult = "queued" | "held" | "shed";

export class IngestQueue {
  private items: (IngestItem | undefined)[] = [];
  private head = 0;
  private readonly held: (() => void)[] = [];

  constructor(
    readonly highWater: number,
    readonly max: number,
  ) {}

  get depth(): number {
    return this.items.length - this.head;
  }

  get heldCount(): number {
    return this.held.length;
  }

  offer(item: IngestItem, done: () => void): OfferResult {
    if (this.depth >= this.max) {
      done();
      return "shed";
    }
    this.items.push(item);
    if (this.depth > this.highWater) {
      this.held.push(done);
      return "held";
    }
    done();
    return "queued";
  }

  take(): IngestItem | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    if (this.held.length > 0 && this.depth <= this.highWater / 2) this.releaseHeld();
    return item;
  }

  /** Completes every held publish (also on stop, so no client is left hanging). */
  releaseHeld(): void {
    const held = this.held.splice(0);
    for (const done of held) done();
  }
}
