/**
 * EdgeAgent wires a resolved config to drivers and the publisher.
 * Lifecycle: constructor assigns; `start()` opens state, starts connecting to the platform
 * broker and starts every driver; `connected()` resolves on the first CONNACK; `stop()`
 * stops drivers, flushes and publishes offline/shutdown. Device health is tracked here and
 * carried in the retained status.
 */
import type { Logger } from "pino";
import type { DeviceHealth } from "@citytwin/model";
import type { ResolvedEdgeConfig } from "./config/load";
import { createDrivers } from "./drivers/registry";
import { PollRunner, type PollStats } from "./drivers/poll-runner";
import type { Reading, StreamSink, StreamingDriver } from "./drivers/types";
import { resolve } from "node:path";
import { DiskOutboundQueue } from "./publish/disk-queue";
import { MemoryOutboundQueue, type OutboundQueue } from "./publish/outbound-queue";
import { Publisher, type PublisherStats } from "./publish/publisher";
import { systemClock, type Clock } from "./runtime/clock";
import { AGENT_VERSION } from "./version";

export interface EdgeAgentOptions {
  config: ResolvedEdgeConfig;
  logger: Logger;
  clock?: Clock;
  /** Replaces the configured outbound queue (publish.queue). */
  queue?: OutboundQueue;
}

export interface EdgeAgentStats {
  publisher: PublisherStats;
  devices: Record<string, DeviceHealth>;
  polling: Record<string, PollStats>;
  streaming: Record<string, number>;
  readingsIn: number;
}

export class EdgeAgent {
  private readonly clock: Clock;
  private readonly publisher: Publisher;
  private readonly health: Record<string, DeviceHealth> = {};
  private runner: PollRunner | undefined;
  private streaming: StreamingDriver[] = [];
  private readingsIn = 0;

  constructor(private readonly opts: EdgeAgentOptions) {
    const { config } = opts;
    this.clock = opts.clock ?? systemClock;
    for (const d of config.devices) this.health[d.id] = "unknown";
    const pub = {
      url: config.mqtt.url,
      clientId: config.mqtt.clientId ?? `ct-edge-${config.gateway.id}`,
      keepaliveS: config.mqtt.keepaliveS,
      tenant: config.gateway.tenant,
      gatewayId: config.gateway.id,
      maxBatchReadings: config.publish.maxBatchReadings,
      maxDelayMs: config.publish.maxDelayMs,
      replayBatchesPerSecond: config.publish.queue.replayBatchesPerSecond,
      stateDir: config.stateDirAbs,
      agentVersion: AGENT_VERSION,
      configHash: config.hash,
      ...(config.mqtt.username === undefined ? {} : { username: config.mqtt.username }),
      ...(config.secrets.mqttPassword === undefined ? {} : { password: config.secrets.mqttPassword }),
      ...(config.mqtt.caFile === undefined ? {} : { caFile: config.mqtt.caFile }),
    };
    this.publisher = new Publisher(
      pub,
      () => ({ ...this.health }),
      opts.logger.child({ component: "publisher" }),
      this.clock,
      opts.queue ?? createQueue(config),
    );
  }

  async start(): Promise<void> {
    const { config, logger } = this.opts;
    await this.publisher.start();
    const sink: StreamSink = {
      readings: (rs: Reading[]) => {
        this.readingsIn += rs.length;
        this.publisher.add(rs);
      },
      health: (id, h) => {
        if (this.health[id] === h) return;
        this.health[id] = h;
        this.publisher.refreshStatus();
      },
    };
    const set = await createDrivers(config.devices, {
      logger: logger.child({ component: "drivers" }),
      clock: this.clock,
      stateDir: config.stateDirAbs,
      gatewayId: config.gateway.id,
      profiles: config.profileById,
      secrets: config.secrets,
    });
    this.streaming = set.streaming;
    for (const s of this.streaming) await s.start(sink);
    this.runner = new PollRunner(set.polling, sink, logger.child({ component: "poll" }), this.clock);
    this.runner.start();
  }

  /** Resolves on the first connection to the platform broker. */
  connected(): Promise<void> {
    return this.publisher.connected();
  }

  async stop(): Promise<void> {
    await this.runner?.stop();
    await Promise.all(this.streaming.map((s) => s.stop().catch(() => undefined)));
    await this.publisher.stop();
  }

  stats(): EdgeAgentStats {
    const streaming: Record<string, number> = {};
    for (const s of this.streaming) {
      for (const [k, v] of Object.entries(s.stats())) streaming[k] = (streaming[k] ?? 0) + v;
    }
    return {
      publisher: this.publisher.stats(),
      devices: { ...this.health },
      polling: this.runner?.stats() ?? {},
      streaming,
      readingsIn: this.readingsIn,
    };
  }
}

/** The outbound queue publish.queue asks for; the disk queue lives under stateDir. */
function createQueue(config: ResolvedEdgeConfig): OutboundQueue {
  const q = config.publish.queue;
  if (q.kind === "memory") return new MemoryOutboundQueue();
  return new DiskOutboundQueue({
    dir: resolve(config.stateDirAbs, q.dir ?? "queue"),
    maxBytes: q.maxBytes,
    segmentBytes: q.segmentBytes,
    fsyncIntervalMs: q.fsyncIntervalMs,
  });
}
