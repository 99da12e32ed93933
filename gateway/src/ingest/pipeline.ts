/**
 * The ingest worker. The broker's `published` hook calls `offer()` (synchronous, never does
 * I/O); the worker drains the queue on `setImmediate` turns so HTTP, WebSocket and MQTT I/O
 * interleave with ingest. Per telemetry message: decode + schema (whole-message reject) →
 * per-reading validation (partial accept) → (epoch, seq) dedup and gap tracking → hot store,
 * live push, sinks. Decoding is pure (decode.ts); with decode threads (`DecodePool`) runs of
 * up to `RUN_MESSAGES` messages are decoded there, at most `RUNS_IN_FLIGHT` runs per thread,
 * and every later step still runs here, in arrival order (a run's results wait for the runs
 * before it). Without threads, or while none is ready, each turn decodes up to
 * `TURN_MESSAGES` messages itself. Sinks buffer synchronously and send in the background. A
 * journaled message (`journalRecord`) reaches every sink exactly once, with its accepted
 * readings or none (rejected, duplicate, failed), so the sinks' journal cursors move past it;
 * a shed one is reported to the sinks as `missed`. Status messages update the gateway tracker
 * and go to live clients.
 */
import type { Logger } from "pino";
import type { RejectReason } from "@citytwin/model";
import type { HotStore } from "../hot-store/hot-store";
import type { Sink } from "../influx/sink";
import type { GatewayMetrics } from "../metrics";
import type { GatewayTracker } from "./gateway-tracker";
import { decodeTelemetry, type DecodeVerdict } from "./decode";
import type { DecodePool, DecodedRun } from "./decode-pool";
import { IngestQueue, type IngestItem } from "./queue";
import type { DeviceRegistry } from "./registry";
import type { RejectionReporter } from "./rejections";
import { parseStatus, type AcceptedReading, type IngestLimits, type RejectionTally } from "./validate";

const TURN_MESSAGES = 64;
const RUN_MESSAGES = 256;
const RUNS_IN_FLIGHT = 2;

/** Messages handed to a decode thread; `decoded` is set when its answer (or failure) is in. */
interface Run {
  items: IngestItem[];
  decoded?: DecodedRun | "failed";
}

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
  /** Decode threads (absent: decoding runs on the event loop). Stopped by `stop()`. */
  decodePool?: DecodePool;
}

export class IngestPipeline {
  readonly queue: IngestQueue;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly accepted: AcceptedReading[] = [];
  /** Runs at the decode threads, oldest first. */
  private readonly runs: Run[] = [];

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
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Processes what is queued now, then completes any held publishes and stops the threads. */
  async stop(): Promise<void> {
    await this.idle();
    this.queue.releaseHeld();
    await this.deps.decodePool?.stop();
  }

  private isIdle(): boolean {
    return this.queue.depth === 0 && !this.scheduled && this.runs.length === 0;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    const pool = this.deps.decodePool;
    if (pool?.ready === true) this.dispatch(pool);
    else if (this.runs.length === 0)
      for (let i = 0; i < TURN_MESSAGES; i++) {
        const item = this.queue.take();
        if (item === undefined) break;
        this.handle(item);
      }
    this.afterTurn();
  }

  /** Hands runs of queued messages to the decode threads, up to RUNS_IN_FLIGHT per thread. */
  private dispatch(pool: DecodePool): void {
    while (this.runs.length < RUNS_IN_FLIGHT * pool.size && this.queue.depth > 0) {
      const run: Run = { items: [] };
      for (let item = this.queue.take(); item !== undefined; item = this.queue.take()) {
        run.items.push(item);
        if (run.items.length === RUN_MESSAGES) break;
      }
      this.runs.push(run);
      const telemetry = run.items.filter((it) => it.kind === "telemetry");
      pool.decode(telemetry, this.deps.now()).then(
        (decoded) => this.settle(run, decoded),
        () => this.settle(run, "failed"),
      );
    }
  }

  /** Applies every decoded run at the head, in order; a failed run is decoded here instead. */
  private settle(run: Run, decoded: DecodedRun | "failed"): void {
    run.decoded = decoded;
    while (this.runs[0]?.decoded !== undefined) {
      const head = this.runs.shift() as Run;
      const result = head.decoded === "failed" ? undefined : head.decoded;
      let t = 0;
      for (const item of head.items) {
        if (item.kind === "telemetry" && result !== undefined) this.handle(item, result, t++);
        else this.handle(item);
      }
    }
    this.afterTurn();
  }

  /** Schedules the next turn unless it must wait for a run to come back. */
  private afterTurn(): void {
    this.deps.metrics.queueDepth.set(this.queue.depth);
    const pool = this.deps.decodePool;
    const waiting =
      this.runs.length > 0 && (pool?.ready !== true || this.runs.length >= RUNS_IN_FLIGHT * pool.size);
    if (this.queue.depth > 0 && !waiting) this.schedule();
    else if (this.isIdle()) {
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  }

  /** One message; telemetry decoded by a thread comes as `run` and its position in it. */
  private handle(item: IngestItem, run?: DecodedRun, at = 0): void {
    try {
      if (item.kind !== "telemetry") this.status(item);
      else if (run === undefined) this.telemetry(item, this.decode(item), this.accepted);
      else {
        run.readings(at, this.accepted);
        this.telemetry(item, run.verdicts[at] as DecodeVerdict, this.accepted);
      }
    } catch (err) {
      // A bug here must not stall ingest: count it as SCHEMA and go on.
      this.deps.logger.error({ err, topic: item.topic }, "ingest failed unexpectedly");
      this.reject(item, "SCHEMA", "internal ingest error", 1);
      this.toSinks(item, []);
    }
  }

  private decode(item: IngestItem): DecodeVerdict {
    const d = this.deps;
    return decodeTelemetry(item.payload, item.gatewayId, d.registry, d.limits, d.now(), this.accepted);
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

  private telemetry(item: IngestItem, verdict: DecodeVerdict, accepted: AcceptedReading[]): void {
    this.toSinks(item, this.judge(item, verdict, accepted));
  }

  /** Every journaled message reaches the sinks, with no readings too (their cursors move on). */
  private toSinks(item: IngestItem, accepted: readonly AcceptedReading[]): void {
    if (accepted.length === 0 && item.journalRecord === undefined) return;
    for (const s of this.deps.sinks) s.write(accepted, item.journalRecord);
  }

  /** Dedup, then stores and pushes the decoded readings; returns those it kept. */
  private judge(
    item: IngestItem,
    verdict: DecodeVerdict,
    accepted: AcceptedReading[],
  ): readonly AcceptedReading[] {
    const d = this.deps;
    const gw = d.gateways.get(item.gatewayId);
    gw.lastSeenAt = d.now();
    if (!verdict.ok) {
      this.reject(item, verdict.reason, verdict.message, 1);
      return [];
    }
    const { epoch, seq } = verdict;
    const gapsBefore = gw.seq.gapCount;
    if (gw.seq.observe(epoch, seq) === "duplicate") {
      gw.duplicates++;
      this.reject(item, "DUPLICATE", `epoch ${epoch} seq ${seq}`, 1, epoch, seq);
      return [];
    }
    if (gw.seq.gapCount > gapsBefore) d.metrics.seqGaps.inc(gw.seq.gapCount - gapsBefore);
    gw.batches++;
    d.metrics.batchesAccepted.inc();
    if (verdict.rejected.size > 0) this.rejectTally(item, verdict.rejected, epoch, seq);
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
