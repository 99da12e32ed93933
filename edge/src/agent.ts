/**
 * EdgeAgent wires a resolved config to drivers and the publisher.
 * Lifecycle: constructor assigns; `start()` opens state, starts connecting to the platform
 * broker and starts every driver; `connected()` resolves on the first CONNACK; `stop()`
 * stops drivers, flushes and publishes offline/shutdown. Device health is tracked here and
 * carried in the retained status.
 *
 * Remote operations (docs/edge-remote-ops.md): dispatched commands run through a
 * CommandDispatcher against the current drivers; a pushed config is checked with the file
 * loader and applied by restarting the drivers only (the publisher, its queue and seq keep
 * running). Config applies are serialised; a rejected or failing config leaves the old running.
 * An applied push is saved to `<stateDir>/pushed-config.json`; at start it replaces the file
 * config when still valid and newer (commands/config-push.ts `startupConfig`).
 */
import type { Logger } from "pino";
import { configResultId, WIRE_VERSION, type CommandResult, type DeviceHealth } from "@citytwin/model";
import type { ResolvedEdgeConfig } from "./config/load";
import { checkPushedConfig, savePushedConfig, startupConfig } from "./commands/config-push";
import { CommandDispatcher } from "./commands/dispatch";
import { createDrivers } from "./drivers/registry";
import { PollRunner, type PollStats } from "./drivers/poll-runner";
import type { Reading, StreamSink, StreamingDriver } from "./drivers/types";
import { resolve } from "node:path";
import { AckLedger } from "./publish/ack-ledger";
import { DiskOutboundQueue } from "./publish/disk-queue";
import { MemoryOutboundQueue, type OutboundQueue } from "./publish/outbound-queue";
import { Publisher, type PublisherStats } from "./publish/publisher";
import { PolicyTable, RbeFilter, buildAgentHealth, type RbeStats } from "./report";
import { systemClock, type Clock } from "./runtime/clock";
import { AGENT_VERSION } from "./version";

export interface EdgeAgentOptions {
  config: ResolvedEdgeConfig;
  logger: Logger;
  clock?: Clock;
  /** Replaces the configured outbound queue (publish.queue). */
  queue?: OutboundQueue;
  /** Environment for secrets of pushed configs (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface EdgeAgentStats {
  publisher: PublisherStats;
  devices: Record<string, DeviceHealth>;
  polling: Record<string, PollStats>;
  streaming: Record<string, number>;
  readingsIn: number;
  /** Report by exception: readings in, reported, suppressed (edge/src/report). */
  rbe: RbeStats;
}

export class EdgeAgent {
  private readonly clock: Clock;
  private readonly publisher: Publisher;
  private readonly health: Record<string, DeviceHealth> = {};
  private runner: PollRunner | undefined;
  private streaming: StreamingDriver[] = [];
  private readingsIn = 0;
  private policies: PolicyTable | undefined;
  private readonly rbe = new RbeFilter((dev, key) => this.policies?.lookup(dev, key));
  private readonly startedAt: number;
  private config: ResolvedEdgeConfig;
  private pushed: { version: number; hash: string } | undefined;
  private applying: Promise<unknown> = Promise.resolve();
  private sink: StreamSink | undefined;

  constructor(private readonly opts: EdgeAgentOptions) {
    const startup = startupConfig(opts.config, opts.env ?? process.env);
    const { config } = startup;
    this.config = config;
    this.clock = opts.clock ?? systemClock;
    this.startedAt = this.clock.now();
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
      statusIntervalMs: config.publish.statusIntervalMs,
      ...(config.publish.ackLedger === undefined
        ? {}
        : {
            ackLedger: new AckLedger(
              resolve(config.stateDirAbs, config.publish.ackLedger.file),
              config.publish.ackLedger.detail,
              (err) => opts.logger.warn({ err: err.message }, "ack ledger write failed"),
            ),
          }),
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
    const log = opts.logger.child({ component: "config-push" });
    if (startup.source === "pushed") {
      this.pushed = { version: startup.version, hash: startup.hash };
      this.publisher.setRunningConfig(startup.version, startup.hash);
      log.info(
        { version: startup.version, hash: startup.hash, file: startup.file },
        "running the saved pushed config",
      );
    } else if (startup.warn) {
      log.warn(
        { reason: startup.reason, file: startup.file },
        "saved pushed config unusable; running the config file",
      );
    } else {
      log.info({ reason: startup.reason, file: opts.config.file }, "running the config file");
    }
    this.publisher.setHealthSource(() =>
      buildAgentHealth(
        this.runner?.stats() ?? {},
        { stats: this.rbe.stats(), suppressedBy: this.rbe.suppressedByDevice() },
        (this.clock.now() - this.startedAt) / 1000,
      ),
    );
    const dispatcher = new CommandDispatcher(
      () => ({ devices: this.config.devices, streaming: this.streaming }),
      this.clock,
    );
    this.publisher.setHandlers({
      command: (cmd) => dispatcher.run(cmd),
      config: (payload) => {
        const next = this.applying.then(() => this.applyConfig(payload));
        this.applying = next.catch(() => undefined);
        return next;
      },
    });
  }

  async start(): Promise<void> {
    await this.publisher.start();
    this.sink = {
      readings: (rs: Reading[]) => {
        this.readingsIn += rs.length;
        this.publisher.add(this.rbe.filter(rs, this.clock.now()));
      },
      health: (id, h) => {
        if (this.health[id] === h) return;
        this.health[id] = h;
        this.publisher.refreshStatus();
      },
    };
    // Serialised with config applies: a retained config may arrive right after CONNACK.
    const first = this.applying.then(() => this.startDrivers(this.config));
    this.applying = first.catch(() => undefined);
    await first;
  }

  private async startDrivers(config: ResolvedEdgeConfig): Promise<void> {
    const { logger } = this.opts;
    const sink = this.sink;
    if (sink === undefined) return;
    this.policies = new PolicyTable(config.devices, config.profileById);
    this.rbe.reset();
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

  private async stopDrivers(): Promise<void> {
    await this.runner?.stop();
    this.runner = undefined;
    await Promise.all(this.streaming.map((s) => s.stop().catch(() => undefined)));
    this.streaming = [];
  }

  private resetHealth(config: ResolvedEdgeConfig): void {
    for (const id of Object.keys(this.health)) delete this.health[id];
    for (const d of config.devices) this.health[d.id] = "unknown";
  }

  /** Checks and applies one pushed config message; undefined when it is the one running. */
  private async applyConfig(payload: Buffer): Promise<CommandResult | undefined> {
    const log = this.opts.logger.child({ component: "config-push" });
    const check = checkPushedConfig(payload, this.config, this.opts.env ?? process.env);
    const result = (ok: boolean, version: number | undefined, text: string): CommandResult => {
      const base: Base = { v: WIRE_VERSION, id: configResultId(version ?? 0), completedAt: this.clock.now() };
      return ok
        ? { ...base, ok: true, value: text }
        : { ...base, ok: false, error: { code: "CONFIG_REJECTED", message: text } };
    };
    if (!check.ok) {
      log.warn({ version: check.version, reason: check.message }, "pushed config rejected");
      return result(false, check.version, check.message);
    }
    if (this.pushed?.hash === check.hash) return undefined; // retained redelivery
    if (this.pushed !== undefined && check.version <= this.pushed.version) {
      const why = `version ${check.version} is not newer than running ${this.pushed.version}`;
      return result(false, check.version, why);
    }
    const old = this.config;
    await this.stopDrivers();
    this.resetHealth(check.config);
    try {
      await this.startDrivers(check.config);
    } catch (err) {
      log.error(
        { version: check.version, err: (err as Error).message },
        "pushed config failed; old restored",
      );
      await this.stopDrivers();
      this.resetHealth(old);
      await this.startDrivers(old);
      return result(false, check.version, `drivers failed to start: ${(err as Error).message}`);
    }
    this.config = check.config;
    this.pushed = { version: check.version, hash: check.hash };
    this.publisher.setRunningConfig(check.version, check.hash);
    try {
      savePushedConfig(check.config.stateDirAbs, {
        version: check.version,
        hash: check.hash,
        fileHash: this.opts.config.hash,
        savedAt: this.clock.now(),
        message: JSON.parse(payload.toString("utf8")),
      });
    } catch (err) {
      log.warn({ version: check.version, err: (err as Error).message }, "config applied but not saved");
    }
    log.info(
      { version: check.version, hash: check.hash, devices: check.config.devices.length },
      "config applied",
    );
    return result(true, check.version, check.hash);
  }

  /** Resolves on the first connection to the platform broker. */
  connected(): Promise<void> {
    return this.publisher.connected();
  }

  async stop(): Promise<void> {
    await this.applying;
    await this.stopDrivers();
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
      rbe: this.rbe.stats(),
    };
  }
}

type Base = Pick<CommandResult, "v" | "id" | "completedAt">;

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
