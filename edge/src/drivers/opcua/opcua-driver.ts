/**
 * OPC UA streaming driver: one client, one session and one subscription per device; one
 * monitored item per point with its samplingInterval, queueSize and DataChangeFilter deadband
 * [OPC 10000-4 §7.22.2]. Points give a nodeId or a browsePath (resolved with
 * TranslateBrowsePathsToNodeIds [OPC 10000-4 §5.8.4]).
 *
 * Timestamps: SourceTimestamp → clock "device", else ServerTimestamp → "server", else the edge
 * clock. Quality from the StatusCode severity [OPC 10000-4 §7.39].
 *
 * Recovery: the client reconnects with capped backoff (1 s … 10 s, forever) and node-opcua
 * re-activates the session and transfers or recreates its subscriptions (`session_restored`)
 * [OPC 10000-4 §5.13.7 TransferSubscriptions]. If the session itself is lost, the driver
 * builds a new session and subscription. node-opcua is imported lazily. The client PKI lives
 * in `<stateDir>/pki/opcua-client`, never in the user's home directory.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import { qualityFromOpcUaStatus, type DeviceHealth } from "@citytwin/model";
import type { OpcuaDeviceConfig } from "../../config/schema";
import type { DriverContext, Reading, StreamSink, StreamingDriver } from "../types";
import type * as OpcuaModule from "node-opcua";
import type {
  ClientSession,
  ClientSubscription,
  DataValue,
  NodeId,
  OPCUAClient,
  UserIdentityInfo,
} from "node-opcua";

type Opcua = typeof OpcuaModule;
type Client = OPCUAClient;
type Session = ClientSession;
type Subscription = ClientSubscription;

export class OpcUaDriver implements StreamingDriver {
  readonly deviceIds: readonly string[];
  private client: Client | undefined;
  private session: Session | undefined;
  private subscription: Subscription | undefined;
  private sink: StreamSink | undefined;
  private stopped = false;
  private building: Promise<void> | undefined;
  private readonly counters = { changes: 0, sessions: 0, reconnects: 0, resolveFailures: 0 };

  constructor(
    private readonly device: OpcuaDeviceConfig,
    private readonly ctx: DriverContext,
    private readonly logger: Logger,
  ) {
    this.deviceIds = [device.id];
  }

  async start(sink: StreamSink): Promise<void> {
    this.sink = sink;
    const ua = await import("node-opcua");
    const certificateManager = new ua.OPCUACertificateManager({
      rootFolder: join(this.ctx.stateDir, "pki", "opcua-client"),
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    });
    const client = ua.OPCUAClient.create({
      applicationName: `CityTwin edge ${this.ctx.gatewayId}`,
      endpointMustExist: false,
      keepSessionAlive: true,
      connectionStrategy: { maxRetry: -1, initialDelay: 1000, maxDelay: 10_000 },
      securityMode: ua.MessageSecurityMode[this.device.securityMode],
      securityPolicy: ua.SecurityPolicy[this.device.securityPolicy],
      clientCertificateManager: certificateManager,
    });
    this.client = client;
    client.on("connection_lost", () => {
      this.counters.reconnects++;
      this.setHealth("down");
      this.logger.warn({ endpoint: this.device.endpoint }, "opcua connection lost");
    });
    client.on("connection_reestablished", () => {
      this.logger.info({ endpoint: this.device.endpoint }, "opcua connection reestablished");
    });
    client.on("after_reconnection", () => {
      // node-opcua restores session + subscriptions; verify and rebuild when it could not.
      void this.ensureSession(ua);
    });
    // Connect in the background: with an infinite retry strategy connect() only resolves
    // once the server answers, and a missing server must not block the agent.
    void client
      .connect(this.device.endpoint)
      .then(() => this.ensureSession(ua))
      .catch((err: Error) => {
        if (!this.stopped)
          this.logger.error({ endpoint: this.device.endpoint, err: err.message }, "opcua connect failed");
      });
  }

  private ensureSession(ua: Opcua): Promise<void> {
    this.building ??= this.buildSession(ua).finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  private async buildSession(ua: Opcua): Promise<void> {
    const client = this.client;
    if (client === undefined || this.stopped) return;
    if (this.session !== undefined && this.subscription !== undefined) {
      // Give node-opcua's own session restore a moment, then check the subscription is live.
      await new Promise((r) => setTimeout(r, 500));
      if (this.subscription.subscriptionId !== undefined && this.subscription.subscriptionId !== 0xffffffff) {
        this.setHealth("ok");
        return;
      }
    }
    try {
      const old = this.session;
      this.session = undefined;
      this.subscription = undefined;
      if (old !== undefined) await old.close(true).catch(() => undefined);
      const password = this.ctx.secrets.devicePasswords[this.device.id];
      const identity: UserIdentityInfo =
        this.device.username !== undefined && password !== undefined
          ? { type: ua.UserTokenType.UserName, userName: this.device.username, password }
          : { type: ua.UserTokenType.Anonymous };
      const session = await client.createSession(identity);
      this.counters.sessions++;
      session.on("session_closed", () => {
        if (!this.stopped) this.logger.warn({ deviceId: this.device.id }, "opcua session closed");
      });
      this.session = session;
      const subscription = await session.createSubscription2({
        requestedPublishingInterval: this.device.publishingIntervalMs,
        requestedLifetimeCount: 100,
        requestedMaxKeepAliveCount: 10,
        maxNotificationsPerPublish: 1000,
        publishingEnabled: true,
        priority: 10,
      });
      this.subscription = subscription;
      await this.monitorAll(ua, session, subscription);
      this.logger.info({ deviceId: this.device.id, points: this.device.points.length }, "opcua subscribed");
    } catch (err) {
      this.setHealth("down");
      this.logger.error(
        { deviceId: this.device.id, err: (err as Error).message },
        "opcua session setup failed",
      );
    }
  }

  private async monitorAll(ua: Opcua, session: Session, subscription: Subscription): Promise<void> {
    let failed = 0;
    for (const point of this.device.points) {
      let nodeId: string | NodeId | undefined = point.nodeId;
      if (nodeId === undefined && point.browsePath !== undefined) {
        const res = await session.translateBrowsePath(ua.makeBrowsePath("RootFolder", point.browsePath));
        const target = res.targets?.[0]?.targetId;
        if (!res.statusCode.isGood() || target === undefined) {
          failed++;
          this.counters.resolveFailures++;
          this.logger.warn(
            {
              deviceId: this.device.id,
              key: point.key,
              browsePath: point.browsePath,
              status: res.statusCode.name,
            },
            "opcua browse path not resolved",
          );
          this.emit([this.badReading(point.key)]);
          continue;
        }
        nodeId = target;
      }
      const deadband = point.deadband;
      const filter =
        deadband === undefined
          ? null
          : new ua.DataChangeFilter({
              trigger: ua.DataChangeTrigger.StatusValue,
              deadbandType: deadband.type === "absolute" ? ua.DeadbandType.Absolute : ua.DeadbandType.Percent,
              deadbandValue: deadband.value,
            });
      const item = await subscription.monitor(
        { nodeId, attributeId: ua.AttributeIds.Value },
        {
          samplingInterval: point.samplingIntervalMs ?? this.device.samplingIntervalMs,
          queueSize: point.queueSize ?? this.device.queueSize,
          discardOldest: true,
          filter,
        },
        ua.TimestampsToReturn.Both,
      );
      item.on("changed", (dv: DataValue) => this.onChange(point.key, dv));
      item.on("err", (msg: string) => {
        this.logger.warn(
          { deviceId: this.device.id, key: point.key, err: msg },
          "opcua monitored item failed",
        );
        this.emit([this.badReading(point.key)]);
      });
    }
    this.setHealth(failed === 0 ? "ok" : failed === this.device.points.length ? "down" : "degraded");
  }

  private onChange(key: string, dv: DataValue): void {
    this.counters.changes++;
    const quality = qualityFromOpcUaStatus(dv.statusCode.value);
    const src = dv.sourceTimestamp?.getTime();
    const srv = dv.serverTimestamp?.getTime();
    const [ts, clock] =
      src !== undefined && src > 0
        ? [src, "device" as const]
        : srv !== undefined && srv > 0
          ? [srv, "server" as const]
          : [this.ctx.clock.now(), "edge" as const];
    const raw: unknown = dv.value?.value;
    let value: number | boolean | string | null = null;
    if (typeof raw === "number" || typeof raw === "boolean") value = raw;
    else if (typeof raw === "bigint") value = Number(raw);
    else if (typeof raw === "string") value = raw.slice(0, 256);
    else if (Array.isArray(raw) && raw.length === 2 && raw.every((x) => typeof x === "number")) {
      value = (raw[0] as number) * 2 ** 32 + (raw[1] as number); // node-opcua Int64/UInt64 [hi, lo]
    }
    const q = value === null && quality === "good" ? "bad" : quality;
    this.emit([{ deviceId: this.device.id, key, ts: Math.round(ts), clock, value, quality: q }]);
  }

  private badReading(key: string): Reading {
    return {
      deviceId: this.device.id,
      key,
      ts: this.ctx.clock.now(),
      clock: "edge",
      value: null,
      quality: "bad",
    };
  }

  private emit(readings: Reading[]): void {
    this.sink?.readings(readings);
  }

  private health: DeviceHealth = "unknown";
  private setHealth(h: DeviceHealth): void {
    if (h === this.health) return;
    this.health = h;
    this.sink?.health(this.device.id, h);
  }

  stats(): Record<string, number> {
    return {
      opcua_changes: this.counters.changes,
      opcua_sessions: this.counters.sessions,
      opcua_connection_losses: this.counters.reconnects,
      opcua_resolve_failures: this.counters.resolveFailures,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const { client, session, subscription } = this;
    this.client = undefined;
    this.session = undefined;
    this.subscription = undefined;
    await subscription?.terminate().catch(() => undefined);
    await session?.close().catch(() => undefined);
    await client?.disconnect().catch(() => undefined);
  }
}
