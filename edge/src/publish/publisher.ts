/**
 * Platform publisher: batches readings into TelemetryBatch messages on
 * `ct/v1/{tenant}/{gw}/telemetry` (QoS 1), keeps them in an OutboundQueue until PUBACK, owns
 * the gateway status (retained, and the Will) and answers commands.
 *
 * Delivery: at most WINDOW batches are handed to MQTT.js at once. MQTT.js keeps handed-over
 * QoS 1 packets in its outgoing store and resends them, in order, after a reconnect
 * [MQTT-4.4.0-1]; the session is persistent (clean: false) [MQTT-3.1.2-4]. A batch leaves the
 * queue only on PUBACK. Flush triggers: maxBatchReadings readings held, or the oldest held
 * reading is maxDelayMs old. After a reconnect the backlog is replayed through a ReplayPacer
 * (live batches first, backlog ≤ WINDOW/2 in flight and ≤ replayBatchesPerSecond).
 */
import { readFileSync } from "node:fs";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import type { Logger } from "pino";
import {
  CONFIG_RESULT_NAME,
  topics,
  WIRE_VERSION,
  type Command,
  type CommandResult,
  type DeviceHealth,
  type GatewayStatus,
  type TelemetryBatch,
} from "@citytwin/model";
import type { Clock } from "../runtime/clock";
import type { Reading } from "../drivers/types";
import type { AckLedger } from "./ack-ledger";
import { TelemetryBatcher, countReadings } from "./batcher";
import { handleCommand } from "./commands";
import { MemoryOutboundQueue, type OutboundQueue } from "./outbound-queue";
import { ReplayPacer } from "./replay-pacer";
import { SequenceStore } from "./sequence-store";
import type { SeqRange } from "./gap-map";
import type { QueueStats } from "./outbound-queue";
import type { AgentHealthPart } from "../report/health";

const WINDOW = 16;
const STATUS_REFRESH_MS = 30_000;
const STOP_DRAIN_MS = 5000;
/** Device health changes within this window share one status message (refreshStatus). */
const STATUS_COALESCE_MS = 500;
/** Pause between a lost connection and the next attempt (mqtt.js `reconnectPeriod`). */
const RECONNECT_PERIOD_MS = 2000;
/** An attempt without CONNACK by then is abandoned (mqtt.js `connectTimeout`). */
const CONNECT_TIMEOUT_MS = 10_000;

export interface PublisherOptions {
  url: string;
  clientId: string;
  keepaliveS: number;
  username?: string;
  password?: string;
  caFile?: string;
  tenant: string;
  gatewayId: string;
  maxBatchReadings: number;
  maxDelayMs: number;
  stateDir: string;
  agentVersion: string;
  configHash: string;
  /** Max batches held by the default (memory) queue before evicting the oldest pending one. */
  maxQueuedBatches?: number;
  /** Backlog batches sent per second after a reconnect; 0 = unpaced (default 20). */
  replayBatchesPerSecond?: number;
  /** Status (with health) refresh period while connected (default 30 000). */
  statusIntervalMs?: number;
  /** Opt-in record of every PUBACKed batch (`publish.ackLedger`, ./ack-ledger.ts). */
  ackLedger?: AckLedger;
}

/** Both never reject; `config` resolves undefined when there is nothing to answer. */
export interface PublisherHandlers {
  command?: (cmd: Command) => Promise<CommandResult>;
  config?: (payload: Buffer) => Promise<CommandResult | undefined>;
}

export interface PublisherStats {
  connected: boolean;
  connects: number;
  epoch: number;
  lastSeq: number;
  batchesQueued: number;
  batchesAcked: number;
  readingsAcked: number;
  batchesEvicted: number;
  queue: QueueStats;
  gaps: SeqRange[];
  pending: number;
  inFlight: number;
  bufferedReadings: number;
  commands: number;
  invalidCommands: number;
}

export class Publisher {
  private client: MqttClient | undefined;
  private readonly batcher = new TelemetryBatcher();
  private readonly sequence: SequenceStore;
  private flushTimer: NodeJS.Timeout | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private connectedAt = 0;
  private drained: (() => void) | undefined;
  private firstConnect: Promise<void> = new Promise(() => undefined);
  private readonly pacer: ReplayPacer;
  private readonly backlogFlying = new Set<number>();
  private pumpTimer: NodeJS.Timeout | undefined;
  private readonly counters = {
    connects: 0,
    batchesQueued: 0,
    batchesAcked: 0,
    readingsAcked: 0,
    commands: 0,
    invalidCommands: 0,
  };
  private readonly topic: { telemetry: string; status: string; cmdFilter: string; config: string };
  private handlers: PublisherHandlers = {};
  private healthSource: (() => AgentHealthPart) | undefined;
  private running: { version: number; hash: string };

  constructor(
    private readonly opts: PublisherOptions,
    private readonly health: () => Record<string, DeviceHealth>,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly queue: OutboundQueue = new MemoryOutboundQueue(opts.maxQueuedBatches ?? 1000),
  ) {
    this.sequence = new SequenceStore(opts.stateDir, () => clock.now());
    this.pacer = new ReplayPacer(opts.replayBatchesPerSecond ?? 20, () => clock.now());
    this.topic = {
      telemetry: topics.telemetry(opts.tenant, opts.gatewayId),
      status: topics.status(opts.tenant, opts.gatewayId),
      cmdFilter: topics.cmdFilter(opts.tenant, opts.gatewayId),
      config: topics.config(opts.tenant, opts.gatewayId),
    };
    this.running = { version: 1, hash: opts.configHash };
  }

  /** Supplies the agent's health part of the periodic status (see report/health.ts). */
  setHealthSource(source: () => AgentHealthPart): void {
    this.healthSource = source;
  }

  /** Hooks for dispatched commands and pushed configs (set by the agent before start). */
  setHandlers(handlers: PublisherHandlers): void {
    this.handlers = handlers;
  }

  /** The config version and hash reported in the status from now on; refreshes the status. */
  setRunningConfig(version: number, hash: string): void {
    this.running = { version, hash };
    this.refreshStatus();
  }

  /** Publishes a CommandResult on `…/cmd/{name}/result` (QoS 1). */
  publishResult(name: string, result: CommandResult): void {
    this.client?.publish(
      topics.cmdResult(this.opts.tenant, this.opts.gatewayId, name),
      JSON.stringify(result),
      { qos: 1 },
    );
  }

  /** Opens the sequence state and starts connecting (see `connected()`). */
  async start(): Promise<void> {
    const continued = this.sequence.open();
    this.opts.ackLedger?.open();
    const { highestSeq } = this.queue.open(this.sequence.epoch, this.sequence.lastSeq);
    this.sequence.advanceTo(highestSeq); // never reuse a seq the queue still holds
    this.logger.info(
      { epoch: this.sequence.epoch, lastSeq: this.sequence.lastSeq, continued, queue: this.queue.stats() },
      "sequence state",
    );
    this.connectedAt = this.clock.now();
    const options: IClientOptions = {
      clientId: this.opts.clientId,
      clean: false,
      // Half-open links (no FIN/RST; writes keep succeeding locally) are found by the keep alive
      // [MQTT 3.1.1 §3.1.2.10; a client without PINGRESP in reasonable time SHOULD close]:
      // mqtt.js sends PINGREQ keepaliveS after the last ack or PINGRESP from the broker and
      // closes the connection when none has come by 1.5 × keepaliveS ("Keepalive timeout");
      // then it reconnects every RECONNECT_PERIOD_MS. An attempt into a
      // still-dead path is abandoned after CONNECT_TIMEOUT_MS, so after the path heals the
      // connection is back within CONNECT_TIMEOUT_MS + RECONNECT_PERIOD_MS. Unacked batches stay
      // queued and are resent (clean: false). docs/edge-store-and-forward.md "Half-open
      // connections"; edge/test/half-open-mqtt.test.ts.
      keepalive: this.opts.keepaliveS,
      reconnectPeriod: RECONNECT_PERIOD_MS,
      connectTimeout: CONNECT_TIMEOUT_MS,
      protocolVersion: 4,
      // mqtt-packet otherwise pre-builds 65,536 two-byte Buffers (one per message id) that stay
      // on the heap for the process's life (≈ 7 MB); ids are written per packet instead.
      writeCache: false,
      will: {
        topic: this.topic.status,
        payload: Buffer.from(JSON.stringify(this.status("offline", "connection-lost"))),
        qos: 1,
        retain: true,
      },
    };
    if (this.opts.username !== undefined) options.username = this.opts.username;
    if (this.opts.password !== undefined) options.password = this.opts.password;
    if (this.opts.caFile !== undefined) options.ca = readFileSync(this.opts.caFile);
    const client = connect(this.opts.url, options);
    this.client = client;
    client.on("reconnect", () => {
      // The Will carries the time of the connection it would announce as lost.
      this.connectedAt = this.clock.now();
      if (client.options.will !== undefined) {
        client.options.will.payload = Buffer.from(JSON.stringify(this.status("offline", "connection-lost")));
      }
    });
    client.on("connect", () => this.onConnect(client));
    client.on("close", () => {
      if (!this.stopping) this.logger.warn({ url: this.opts.url }, "platform broker connection closed");
    });
    client.on("error", (err) =>
      this.logger.warn({ url: this.opts.url, err: err.message }, "platform broker error"),
    );
    client.on("message", (topic, payload) => this.onMessage(topic, payload));
    this.firstConnect = new Promise<void>((resolve) => client.once("connect", () => resolve()));
  }

  /** Resolves on the first CONNACK. */
  connected(): Promise<void> {
    return this.firstConnect;
  }

  private onConnect(client: MqttClient): void {
    this.counters.connects++;
    this.pacer.mark = this.sequence.lastSeq;
    this.logger.info(
      { url: this.opts.url, connects: this.counters.connects, replayThrough: this.pacer.mark },
      "platform broker connected",
    );
    this.publishStatus("online", "connected");
    client.subscribe([this.topic.cmdFilter, this.topic.config], { qos: 1 }, (err) => {
      if (err) this.logger.error({ err: err.message }, "command/config subscribe failed");
    });
    if (this.statusTimer === undefined) {
      this.statusTimer = setInterval(() => {
        if (this.client?.connected === true) this.publishStatus("online", "connected");
      }, this.opts.statusIntervalMs ?? STATUS_REFRESH_MS);
    }
    this.pump();
  }

  private status(state: GatewayStatus["state"], reason: GatewayStatus["reason"]): GatewayStatus {
    const s: GatewayStatus = {
      v: WIRE_VERSION,
      state,
      reason,
      ts: reason === "connection-lost" ? this.connectedAt : this.clock.now(),
      agentVersion: this.opts.agentVersion,
      config: { ...this.running },
      epoch: this.sequence.epoch,
    };
    if (reason !== "connection-lost") {
      s.devices = this.health();
      const q = this.queue.stats();
      s.queue = {
        pending: q.pending + q.inFlight,
        bytes: q.bytes,
        evictedBatches: q.evictedBatches,
        evictedReadings: q.evictedReadings,
        evictedBytes: q.evictedBytes,
        lostBatches: q.lostBatches,
        gaps: this.queue.gaps(),
      };
      if (this.healthSource !== undefined) {
        s.health = {
          ...this.healthSource(),
          queueDepth: q.pending + q.inFlight,
          bufferedReadings: this.batcher.size,
        };
      }
    }
    return s;
  }

  private publishStatus(state: GatewayStatus["state"], reason: GatewayStatus["reason"]): Promise<void> {
    const client = this.client;
    if (client === undefined) return Promise.resolve();
    return new Promise((resolve) => {
      client.publish(
        this.topic.status,
        JSON.stringify(this.status(state, reason)),
        { qos: 1, retain: true },
        (err) => {
          if (err) this.logger.warn({ err: err.message, state }, "status publish failed");
          resolve();
        },
      );
    });
  }

  /**
   * Refreshes the retained status soon (e.g. after a device health change). Changes within
   * STATUS_COALESCE_MS share one status message: 500 devices coming up at start, or a
   * flapping bus, would otherwise publish one full status (every device's health) per change.
   */
  refreshStatus(): void {
    if (this.refreshTimer !== undefined) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      if (this.client?.connected === true && !this.stopping) void this.publishStatus("online", "connected");
    }, STATUS_COALESCE_MS);
    this.refreshTimer.unref();
  }

  /** Adds readings; O(1) per reading. Flushes when the batch is full. */
  add(readings: readonly Reading[]): void {
    const now = this.clock.now();
    for (const r of readings) {
      this.batcher.add(r, now);
      if (this.batcher.size >= this.opts.maxBatchReadings) this.flush();
    }
    if (this.batcher.size > 0 && this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.flush();
      }, this.opts.maxDelayMs);
    }
  }

  /** Seals what is held into batches (assigning seq) and queues them for delivery. */
  flush(): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.batcher.size === 0) return;
    for (const { devices, json } of this.batcher.drainParts()) {
      const batch: Omit<TelemetryBatch, "devices"> = {
        v: WIRE_VERSION,
        epoch: this.sequence.epoch,
        // The batch is written to the queue before its seq is recorded as used: a kill -9 in
        // between leaves the record on disk (open() advances past it) or no record and an
        // unused seq (never sent: pump() runs later), so a crash never shows up as a gap.
        seq: this.sequence.lastSeq + 1,
        sentAt: this.clock.now(),
      };
      const evicted = this.queue.push({
        seq: batch.seq,
        // JSON.stringify({ ...batch, devices }), without serialising devices a second time.
        payload: `${JSON.stringify(batch).slice(0, -1)},"devices":${json}}`,
        readings: countReadings(devices),
      });
      this.sequence.advanceTo(batch.seq);
      this.counters.batchesQueued++;
      if (evicted > 0) {
        this.logger.warn(
          { seq: batch.seq, evictedNow: evicted, evicted: this.queue.evicted },
          "outbound queue full, evicted oldest pending batches",
        );
      }
    }
    this.pump();
  }

  private pump(): void {
    const client = this.client;
    if (client === undefined || !client.connected) return;
    while (this.queue.inFlight < WINDOW) {
      // Live first; backlog only within half the window and the pacer's rate.
      let item = this.queue.takeNext(this.pacer.mark);
      if (item === undefined && this.backlogFlying.size < WINDOW / 2 && this.pacer.take()) {
        item = this.queue.takeNext();
        if (item === undefined) this.pacer.refund();
        else this.backlogFlying.add(item.seq);
      }
      if (item === undefined) break;
      const { seq, readings, payload } = item;
      client.publish(this.topic.telemetry, payload, { qos: 1 }, (err) => {
        this.backlogFlying.delete(seq);
        if (err) {
          this.queue.release(seq);
          return;
        }
        // Ledger first: a kill -9 between the two resends the batch (ack not yet durable) and
        // its second PUBACK writes a second line, never none.
        this.opts.ackLedger?.record(payload, readings, this.clock.now());
        this.queue.ack(seq);
        this.counters.batchesAcked++;
        this.counters.readingsAcked += readings;
        if (this.queue.pending === 0 && this.queue.inFlight === 0) this.drained?.();
        this.pump();
      });
    }
    // Backlog held back by the pacer: come back when the next permit is due.
    const paced = this.backlogFlying.size < WINDOW / 2 && this.queue.inFlight < WINDOW;
    if (paced && this.queue.pending > 0 && this.pumpTimer === undefined && !this.stopping) {
      this.pumpTimer = setTimeout(
        () => {
          this.pumpTimer = undefined;
          this.pump();
        },
        Math.max(10, this.pacer.waitMs()),
      );
      this.pumpTimer.unref();
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === this.topic.config) {
      const onConfig = this.handlers.config;
      if (onConfig !== undefined && payload.length > 0) {
        void onConfig(payload).then((r) => r && this.publishResult(CONFIG_RESULT_NAME, r));
      }
      return;
    }
    const prefix = this.topic.cmdFilter.slice(0, -1);
    if (!topic.startsWith(prefix)) return;
    const name = topic.slice(prefix.length);
    this.counters.commands++;
    const outcome = handleCommand(name, payload, this.clock.now());
    if ("invalid" in outcome) {
      this.counters.invalidCommands++;
      if (this.counters.invalidCommands % 100 === 1) {
        this.logger.warn({ topic, invalid: this.counters.invalidCommands }, "invalid command without id");
      }
      return;
    }
    if ("dispatch" in outcome) {
      const run = this.handlers.command;
      const { id } = outcome.dispatch;
      const unsupported: CommandResult = {
        v: WIRE_VERSION,
        id,
        ok: false,
        error: { code: "UNSUPPORTED", message: "no command dispatcher" },
        completedAt: this.clock.now(),
      };
      void (run === undefined ? Promise.resolve(unsupported) : run(outcome.dispatch)).then((r) =>
        this.publishResult(outcome.name, r),
      );
      return;
    }
    if (!outcome.result.ok)
      this.counters.invalidCommands += outcome.result.error?.code === "INVALID_COMMAND" ? 1 : 0;
    this.publishResult(outcome.name, outcome.result);
  }

  /**
   * Clean stop: flush held readings, wait (bounded) for PUBACKs, publish retained
   * offline/shutdown, disconnect (DISCONNECT suppresses the Will [MQTT-3.1.2-10]).
   */
  async stop(): Promise<void> {
    if (this.statusTimer !== undefined) clearInterval(this.statusTimer);
    this.statusTimer = undefined;
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    if (this.pumpTimer !== undefined) clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    this.flush();
    const client = this.client;
    if (client === undefined) return;
    if (client.connected && this.queue.pending + this.queue.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, STOP_DRAIN_MS);
        this.drained = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    this.stopping = true;
    if (client.connected) await this.publishStatus("offline", "shutdown");
    await client.endAsync();
    this.client = undefined;
    this.queue.close();
    this.opts.ackLedger?.close();
    if (this.queue.pending + this.queue.inFlight > 0) {
      this.logger.warn(
        { pending: this.queue.pending, inFlight: this.queue.inFlight },
        "stopped with unacknowledged batches",
      );
    }
  }

  stats(): PublisherStats {
    return {
      connected: this.client?.connected === true,
      connects: this.counters.connects,
      epoch: this.sequence.epoch,
      lastSeq: this.sequence.lastSeq,
      batchesQueued: this.counters.batchesQueued,
      batchesAcked: this.counters.batchesAcked,
      readingsAcked: this.counters.readingsAcked,
      batchesEvicted: this.queue.evicted,
      queue: this.queue.stats(),
      gaps: this.queue.gaps(),
      pending: this.queue.pending,
      inFlight: this.queue.inFlight,
      bufferedReadings: this.batcher.size,
      commands: this.counters.commands,
      invalidCommands: this.counters.invalidCommands,
    };
  }
}
