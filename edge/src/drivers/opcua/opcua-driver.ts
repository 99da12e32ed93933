/**
 * OPC UA streaming driver: one client, one session and one subscription per device; one
 * monitored item per point with its samplingInterval, queueSize and DataChangeFilter deadband
 * [OPC 10000-4 §7.22.2]. Points give a nodeId or a browsePath (resolved with
 * TranslateBrowsePathsToNodeIds [OPC 10000-4 §5.8.4]).
 *
 * Timestamps: SourceTimestamp → clock "device", else ServerTimestamp → "server", else the edge
 * clock. Quality from the StatusCode severity [OPC 10000-4 §7.39].
 *
 * Recovery (never more than one session per device):
 *  - the secure channel reconnects with capped backoff (1 s doubling to reconnectMaxDelayMs);
 *  - node-opcua then re-activates the same session [OPC 10000-4 §5.6.3] or, after a server
 *    restart, creates one replacement session, tries TransferSubscriptions [§5.13.7] and
 *    recreates the subscription and its monitored items;
 *  - just before that recreation, `beforeSubscriptionRecreate` re-resolves every browse path on
 *    the new session and points the monitored items at the (possibly new) NodeIds;
 *  - points that could not be resolved or monitored are retried on a timer on the live session.
 * The driver only creates a session itself at start (retrying with the same capped backoff and
 * closing any half-built session first). node-opcua is imported lazily.
 */
import type { Logger } from "pino";
import { qualityFromOpcUaStatus, type DeviceHealth } from "@citytwin/model";
import type { OpcuaDeviceConfig } from "../../config/schema";
import type { DriverContext, Reading, StreamSink, StreamingDriver } from "../types";
import type * as OpcuaModule from "node-opcua";
import type { ClientMonitoredItem, ClientSession, ClientSubscription, DataValue, NodeId } from "node-opcua";
import { clientOptions, maxDelayMs, monitoringParameters, userIdentity } from "./client-setup";
import { dataValueToReading } from "./reading";
import type { DriverReply, OpcuaWriteArgs } from "../../commands/types";
import { writeValue } from "./write";

type Opcua = typeof OpcuaModule;
type Point = OpcuaDeviceConfig["points"][number];
interface PointState {
  point: Point;
  nodeId: NodeId | string | undefined;
  item: ClientMonitoredItem | undefined;
  /** Needs (re)resolution and a new monitored item. */
  pending: boolean;
}
/** node-opcua calls this hook on the replacement session before recreating subscriptions. */
interface RecreateHook {
  beforeSubscriptionRecreate?: (session: ClientSession) => Promise<Error | undefined>;
}

export class OpcUaDriver implements StreamingDriver {
  readonly deviceIds: readonly string[];
  private client: OpcuaModule.OPCUAClient | undefined;
  private session: ClientSession | undefined;
  private subscription: ClientSubscription | undefined;
  private sink: StreamSink | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retrying = false;
  private health: DeviceHealth = "unknown";
  private ua: Opcua | undefined;
  private readonly states: PointState[];
  private readonly counters = {
    changes: 0,
    sessions: 0,
    restores: 0,
    reconnects: 0,
    resolveFailures: 0,
    reresolved: 0,
  };

  constructor(
    private readonly device: OpcuaDeviceConfig,
    private readonly ctx: DriverContext,
    private readonly logger: Logger,
  ) {
    this.deviceIds = [device.id];
    this.states = device.points.map((point) => ({
      point,
      nodeId: point.nodeId,
      item: undefined,
      pending: true,
    }));
  }

  async start(sink: StreamSink): Promise<void> {
    this.sink = sink;
    const ua = await import("node-opcua");
    this.ua = ua;
    const client = ua.OPCUAClient.create(clientOptions(ua, this.device, this.ctx));
    this.client = client;
    (client as unknown as RecreateHook).beforeSubscriptionRecreate = (s) => this.reresolve(ua, s);
    const endpoint = this.device.endpoint;
    client.on("backoff", (retry: number, delay: number) =>
      this.logger.debug({ endpoint, retry, delay }, "opcua connect retry"),
    );
    client.on("connection_lost", () => {
      this.counters.reconnects++;
      this.setHealth("down");
      this.logger.warn({ endpoint }, "opcua connection lost");
    });
    client.on("connection_reestablished", () =>
      this.logger.info({ endpoint }, "opcua channel re-established"),
    );
    this.retryTimer = setInterval(() => void this.retryPending(ua), Math.min(5000, maxDelayMs(this.device)));
    // Connect in the background: connect() only resolves once the server answers (it retries
    // forever), and a missing server must not block the agent.
    void this.run(ua).catch((err: Error) => {
      if (!this.stopped) this.logger.error({ endpoint, err: err.message }, "opcua connect failed");
    });
  }

  private async run(ua: Opcua): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    const cap = maxDelayMs(this.device);
    // connect() retries a refused socket itself, but fails outright when the secure-channel
    // handshake or the endpoint lookup breaks (e.g. a server still starting): retry here too.
    for (let delay = 1000; ; delay = Math.min(delay * 2, cap)) {
      try {
        await client.connect(this.device.endpoint);
        break;
      } catch (err) {
        if (this.stopped) return;
        const log = { endpoint: this.device.endpoint, err: (err as Error).message, retryInMs: delay };
        this.logger.warn(log, "opcua connect failed");
        this.setHealth("down");
        await client.disconnect().catch(() => undefined);
        await new Promise((r) => setTimeout(r, delay));
        if (this.stopped) return;
      }
    }
    for (let delay = 1000; !this.stopped; delay = Math.min(delay * 2, cap)) {
      try {
        await this.openSession(ua, client);
        return;
      } catch (err) {
        this.setHealth("down");
        this.logger.error(
          { deviceId: this.device.id, err: (err as Error).message },
          "opcua session setup failed",
        );
        const half = this.session;
        this.session = undefined;
        this.subscription = undefined;
        await half?.close(true).catch(() => undefined);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private async openSession(ua: Opcua, client: OpcuaModule.OPCUAClient): Promise<void> {
    const identity = userIdentity(ua, this.device, this.ctx);
    if (typeof identity === "string") throw new Error(identity);
    const session = await client.createSession(identity);
    this.counters.sessions++;
    this.session = session;
    if (this.stopped) return;
    session.on("session_restored", () => {
      this.counters.restores++;
      this.logger.info({ deviceId: this.device.id }, "opcua session restored");
      this.updateHealth(true);
      void this.retryPending(ua);
    });
    session.on("session_repaired_failed", (err: Error) =>
      this.logger.warn(
        { deviceId: this.device.id, err: err.message },
        "opcua session repair failed; retrying",
      ),
    );
    this.subscription = await session.createSubscription2({
      requestedPublishingInterval: this.device.publishingIntervalMs,
      requestedLifetimeCount: 100,
      requestedMaxKeepAliveCount: 10,
      maxNotificationsPerPublish: 1000,
      publishingEnabled: true,
      priority: 10,
    });
    for (const state of this.states) await this.monitor(ua, session, state);
    this.updateHealth();
    this.logger.info({ deviceId: this.device.id, points: this.states.length }, "opcua subscribed");
  }

  private async resolve(ua: Opcua, session: ClientSession, state: PointState): Promise<NodeId | undefined> {
    const path = state.point.browsePath;
    if (path === undefined) return undefined;
    const res = await session.translateBrowsePath(ua.makeBrowsePath("RootFolder", path));
    const target = res.targets?.[0]?.targetId;
    if (res.statusCode.isGood() && target !== undefined) return target;
    this.counters.resolveFailures++;
    const log = {
      deviceId: this.device.id,
      key: state.point.key,
      browsePath: path,
      status: res.statusCode.name,
    };
    this.logger.warn(log, "opcua browse path not resolved");
    return undefined;
  }

  /** Resolves (browse paths) and creates the monitored item; on failure marks the point pending. */
  private async monitor(ua: Opcua, session: ClientSession, state: PointState): Promise<void> {
    const subscription = this.subscription;
    if (subscription === undefined) return;
    if (state.item !== undefined) await state.item.terminate().catch(() => undefined);
    state.item = undefined;
    state.pending = true;
    const nodeId = state.point.nodeId ?? (await this.resolve(ua, session, state));
    state.nodeId = nodeId;
    if (nodeId === undefined) return this.emitBad(state.point.key);
    const { point } = state;
    const item = await subscription.monitor(
      { nodeId, attributeId: ua.AttributeIds.Value },
      monitoringParameters(ua, this.device, point),
      ua.TimestampsToReturn.Both,
    );
    item.on("changed", (dv: DataValue) => this.onChange(point.key, dv));
    item.on("err", (msg: string) => {
      this.logger.warn({ deviceId: this.device.id, key: point.key, err: msg }, "opcua monitored item failed");
      state.pending = true;
      this.emitBad(point.key);
      this.updateHealth();
    });
    state.item = item;
    state.pending = !item.statusCode.isGood();
    if (state.pending) this.emitBad(point.key);
  }

  /** node-opcua hook on the replacement session: point items at re-resolved NodeIds. */
  private async reresolve(ua: Opcua, session: ClientSession): Promise<undefined> {
    for (const state of this.states) {
      if (state.point.browsePath === undefined || state.item === undefined) continue;
      try {
        const nodeId = await this.resolve(ua, session, state);
        if (nodeId === undefined) {
          state.pending = true;
          continue;
        }
        if (nodeId.toString() !== state.item.itemToMonitor.nodeId.toString()) this.counters.reresolved++;
        state.item.itemToMonitor.nodeId = nodeId;
        state.nodeId = nodeId;
      } catch (err) {
        state.pending = true;
        this.logger.warn(
          { deviceId: this.device.id, err: (err as Error).message },
          "opcua re-resolve failed",
        );
      }
    }
    return undefined; // never block the repair: unresolved points are retried later
  }

  private async retryPending(ua: Opcua): Promise<void> {
    const { session, client } = this;
    if (this.retrying || this.stopped || session === undefined || this.subscription === undefined) return;
    if (client === undefined || client.isReconnecting || !this.states.some((s) => s.pending)) return;
    this.retrying = true;
    try {
      for (const state of this.states) if (state.pending) await this.monitor(ua, session, state);
    } catch (err) {
      this.logger.debug({ deviceId: this.device.id, err: (err as Error).message }, "opcua retry failed");
    } finally {
      this.retrying = false;
      this.updateHealth();
    }
  }

  private onChange(key: string, dv: DataValue): void {
    this.counters.changes++;
    const quality = qualityFromOpcUaStatus(dv.statusCode.value);
    if (this.health === "down" && quality === "good") this.updateHealth(true);
    this.emit([dataValueToReading(this.device.id, key, dv, quality, this.ctx.clock.now())]);
  }

  private emitBad(key: string): void {
    const ts = this.ctx.clock.now();
    this.emit([{ deviceId: this.device.id, key, ts, clock: "edge", value: null, quality: "bad" }]);
  }

  private emit(readings: Reading[]): void {
    this.sink?.readings(readings);
  }

  /** From the points' states; skipped while reconnecting unless `restored`. */
  private updateHealth(restored = false): void {
    if ((!restored && this.client?.isReconnecting === true) || this.subscription === undefined) return;
    const bad = this.states.filter((s) => s.pending).length;
    this.setHealth(bad === 0 ? "ok" : bad === this.states.length ? "down" : "degraded");
  }

  private setHealth(h: DeviceHealth): void {
    if (h === this.health) return;
    this.health = h;
    this.sink?.health(this.device.id, h);
  }

  /** Command write (see ./write.ts); target a point key, a nodeId or a browsePath. */
  async opcuaWrite(args: OpcuaWriteArgs, _timeoutMs: number): Promise<DriverReply> {
    const { ua, session } = this;
    if (ua === undefined || session === undefined || this.client?.isReconnecting === true)
      return { ok: false, code: "DEVICE_ERROR", message: "no OPC UA session" };
    let nodeId: NodeId | string | undefined = args.nodeId;
    if (args.key !== undefined) {
      const state = this.states.find((s) => s.point.key === args.key);
      if (state === undefined) return { ok: false, code: "INVALID_ARGS", message: `no point "${args.key}"` };
      nodeId = state.nodeId ?? (await this.resolve(ua, session, state));
    } else if (args.browsePath !== undefined) {
      const res = await session.translateBrowsePath(ua.makeBrowsePath("RootFolder", args.browsePath));
      nodeId = res.statusCode.isGood() ? res.targets?.[0]?.targetId : undefined;
    }
    if (nodeId === undefined) return { ok: false, code: "INVALID_ARGS", message: "target node not resolved" };
    return writeValue(ua, session, nodeId, args.value, args.dataType);
  }

  stats(): Record<string, number> {
    return {
      opcua_changes: this.counters.changes,
      opcua_sessions: this.counters.sessions,
      opcua_session_restores: this.counters.restores,
      opcua_connection_losses: this.counters.reconnects,
      opcua_resolve_failures: this.counters.resolveFailures,
      opcua_reresolved: this.counters.reresolved,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.retryTimer);
    const { client, session, subscription } = this;
    this.client = undefined;
    this.session = undefined;
    this.subscription = undefined;
    await subscription?.terminate().catch(() => undefined);
    await session?.close().catch(() => undefined);
    await client?.disconnect().catch(() => undefined);
  }
}
