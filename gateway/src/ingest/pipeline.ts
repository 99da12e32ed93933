/**
 * The ingest worker. The broker's `published` hook calls `offer()` (synchronous, never does
 * I/O); the worker drains the queue on `setImmediate` turns of at most `TURN_MESSAGES`
 * messages so HTTP, WebSocket and MQTT I/O interleave with ingest. Per telemetry message:
 * decode + schema (whole-message reject) → (epoch, seq) dedup and gap tracking → per-reading
 * validation (partial accept) → hot store, live push, sinks. Sinks buffer synchronously and
 * send in the background. A journaled message (`journalRecord`) reaches every sink exactly
 * once, with its accepted readings or none (rejected, duplicate, failed), so the sinks'
 * journal cursors move past it; a shed one is reported to the sinks as `missed`. Status messages update the gateway tracker and go to live clients.
 */
import type { Logger } from "pino";
import type { RejectReason } from "@citytwin/model";
import type { HotStore } from "../hot-store/hot-store";
import type { Sink } from "../influx/sink";
import type { GatewayMetrics } from "../metrics";
import type { GatewayTracker } from "./gateway-tracker";
import { IngestQueue, type IngestItem } from "./queue";
import type { DeviceRegistry } from "./registry";
import type { RejectionReporter } from "./rejections";
import {
  parseStatus,
  parseTelemetry,
  validateReadings,
  type AcceptedReading,
  type IngestLimits,
  type RejectionTally,
} from "./validate";

const TURN_MESSAGES = 64;

/** Receives accepted readings and gateway state changes (the live hub implements it). */
export interface IngestListener {
  onReadings(readings: readonly AcceptedReading[]): void;
  onGatewayState(gatewayId: string, state: "online" | "offline", ts: number): void;
}

export interface IngestDeps {
  registry: DeviceRegistry;
  hotStore: HotStore;
  sinks: readonly Sink[];
  listeners: readonly IngestListener[];
  gateways: GatewayTracker;
  rejections: RejectionReporter;
  metrics: GatewayMetrics;
  logger: Logger;
  now: () => number;
  limits: IngestLimits;
  queueHighWater: number;
  queueMax: number;
}

export class IngestPipeline {
  readonly queue: IngestQueue;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly accepted: AcceptedReading[] = [];

  constructor(private readonly deps: IngestDeps) {
    this.queue = new IngestQueue(deps.queueHighWater, deps.queueMax);
  }

  /** Called from the broker's `published` hook; `done` completes the publish. */
  offer(item: IngestItem, done: () => void): void {
    const result = this.queue.offer(item, done);
    if (result === "shed") {
      this.deps.metrics.queueShed.inc();
      this.deps.logger.warn({ depth: this.queue.depth }, "ingest queue full, message shed");
      if (item.journalRecord !== undefined) for (const s of this.deps.sinks) s.missed(item.journalRecord);
      return;
    }
    if (result === "held") this.deps.metrics.queuePaused.inc();
    this.deps.metrics.queueDepth.set(this.queue.depth);
    this.schedule();
  }

  /** Resolves once the queue is empty (tests, graceful stop). */
  idle(): Promise<void> {
    if (this.queue.depth === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Processes what is queued now, then completes any held publishes. */
  async stop(): Promise<void> {
    await this.idle();
    this.queue.releaseHeld();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    for (let i = 0; i < TURN_MESSAGES; i++) {
      const item = this.queue.take();
      if (item === undefined) break;
      try {
        if (item.kind === "telemetry") this.telemetry(item);
        else this.status(item);
      } catch (err) {
        // A bug here must not stall ingest: count it as SCHEMA and go on.
        this.deps.logger.error({ err, topic: item.topic }, "ingest failed unexpectedly");
        this.reject(item, "SCHEMA", "internal ingest error", 1);
        this.toSinks(item, []);
      }
    }
    this.deps.metrics.queueDepth.set(this.queue.depth);
    if (this.queue.depth > 0) this.schedule();
    else {
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  }

  private reject(
    item: IngestItem,
    reason: RejectReason,
    message: string,
    count: number,
    epoch?: number,
    seq?: number,
  ) {
    this.deps.gateways.get(item.gatewayId).rejected += count;
    this.deps.rejections.reject({
      reason,
      message,
      topic: item.topic,
      gatewayId: item.gatewayId,
      clientId: item.clientId,
      count,
      epoch,
      seq,
      payload: count === 1 || reason === "SCHEMA" ? item.payload : undefined,
    });
  }

  private rejectTally(item: IngestItem, tally: RejectionTally, epoch: number, seq: number) {
    for (const [reason, { count, sample }] of tally) this.reject(item, reason, sample, count, epoch, seq);
  }

  private telemetry(item: IngestItem): void {
    this.toSinks(item, this.judge(item));
  }

  /** Every journaled message reaches the sinks, with no readings too (their cursors move on). */
  private toSinks(item: IngestItem, accepted: readonly AcceptedReading[]): void {
    if (accepted.length === 0 && item.journalRecord === undefined) return;
    for (const s of this.deps.sinks) s.write(accepted, item.journalRecord);
  }

  /** Decode, dedup, validate; stores and pushes the accepted readings and returns them. */
  private judge(item: IngestItem): readonly AcceptedReading[] {
    const d = this.deps;
    const gw = d.gateways.get(item.gatewayId);
    gw.lastSeenAt = d.now();
    const parsed = parseTelemetry(item.payload, d.limits);
    if (!parsed.ok) {
      this.reject(item, parsed.reason, parsed.message, 1);
      return [];
    }
    const { batch } = parsed;
    const gapsBefore = gw.seq.gapCount;
    const verdict = gw.seq.observe(batch.epoch, batch.seq);
    if (verdict === "duplicate") {
      gw.duplicates++;
      this.reject(item, "DUPLICATE", `epoch ${batch.epoch} seq ${batch.seq}`, 1, batch.epoch, batch.seq);
      return [];
    }
    if (gw.seq.gapCount > gapsBefore) d.metrics.seqGaps.inc(gw.seq.gapCount - gapsBefore);
    const accepted = this.accepted;
    accepted.length = 0;
    const rejected: RejectionTally = parsed.nonFinite;
    validateReadings(batch, item.gatewayId, d.registry, d.limits, d.now(), accepted, rejected);
    gw.batches++;
    d.metrics.batchesAccepted.inc();
    if (rejected.size > 0) this.rejectTally(item, rejected, batch.epoch, batch.seq);
    if (accepted.length === 0) return accepted;
    const store = d.hotStore;
    for (const r of accepted) store.append(r.sensor.index, r.ts, r.value, r.quality, r.level);
    gw.readings += accepted.length;
    d.metrics.readingsAccepted.inc(accepted.length);
    for (const l of d.listeners) l.onReadings(accepted);
    return accepted;
  }

  private status(item: IngestItem): void {
    const d = this.deps;
    const parsed = parseStatus(item.payload);
    if (!parsed.ok) {
      this.reject(item, parsed.reason, parsed.message, 1);
      return;
    }
    const gw = d.gateways.get(item.gatewayId);
    const status = parsed.status;
    gw.status = status;
    gw.lastSeenAt = d.now();
    d.logger.info(
      { gatewayId: item.gatewayId, state: status.state, reason: status.reason },
      "gateway status",
    );
    for (const l of d.listeners) l.onGatewayState(item.gatewayId, status.state, status.ts);
  }
}
