/**
 * Wires the gateway: broker → ingest queue → worker → hot store, live push and InfluxDB
 * sinks; HTTP API on the same server as MQTT-over-WebSocket (`/mqtt`) and live push (`/live`).
 *
 * Lifecycle: the constructor assigns only; `start()` reads the city model, binds the
 * listeners (port 0 binds a free port; the bound ports come back) and starts the sinks;
 * `stop()` stops accepting, drains the ingest queue, flushes and closes the sinks, then
 * persists the ingest journal's cursors and closes it (docs/reliability.md).
 */
import { join } from "node:path";
import type { Logger } from "pino";
import { loadCityFile } from "./config/city";
import type { GatewayConfig } from "./config/load";
import { Broker } from "./broker/broker";
import { SESSIONS_DIR, openSessionStore } from "./broker/persistence";
import { OperatorAuthenticator, bearerToken } from "./auth/operators";
import { isLoopbackHost, listenerTls } from "./config/load";
import { TlsListener, serverTlsOptions } from "./tls";
import { CityTwinError, type ViewerConfig } from "@citytwin/model";
import { checkBearer } from "./http/authorize";
import { DetectionService } from "./detection/detection-service";
import { HotStore, hotStoreCapacity } from "./hot-store/hot-store";
import { CommandClient } from "./commands/client";
import { AlarmRoutes } from "./http/alarm-routes";
import { ViewerRoutes } from "./http/viewer-routes";
import { CommandRoutes } from "./http/command-routes";
import { Api } from "./http/api";
import { HttpServer } from "./http/http-server";
import { DeadLetters } from "./ingest/dead-letters";
import { GatewayTracker } from "./ingest/gateway-tracker";
import { DecodePool, decodeThreadCount } from "./ingest/decode-pool";
import { IngestPipeline } from "./ingest/pipeline";
import { DeviceRegistry } from "./ingest/registry";
import { RejectionReporter } from "./ingest/rejections";
import type { Sink, WriteFailedHandler } from "./influx/sink";
import { InfluxV1Writer } from "./influx/v1-writer";
import { InfluxV2Writer } from "./influx/v2-writer";
import { setUpJournal, type JournalSetup } from "./journal/setup";
import { LiveHub } from "./live/live-hub";
import { GatewayMetrics } from "./metrics";
import { setUpSecurity } from "./security/setup";

/** Logged once at start in demo mode, and shown on /healthz and in the viewer's status bar. */
export const DEMO_BANNER =
  "DEMO MODE: no authentication (MQTT gateway logins without a secret, HTTP reads and /live open); loopback only, never expose";

export interface GatewayOptions {
  config: GatewayConfig;
  logger: Logger;
  /** Wall clock in ms; injectable for tests. */
  now?: () => number;
  /** Also told of lines the InfluxDB sinks could not deliver (they are dead-lettered and counted). */
  onWriteFailed?: WriteFailedHandler;
  /** Register prom-client's process metrics (CPU, heap, event loop lag) too. */
  defaultMetrics?: boolean;
}

export interface GatewayAddress {
  mqttPort: number;
  /** MQTT over TLS, when configured. */
  mqttTlsPort?: number;
  httpPort: number;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8080/ */
  url: string;
}

interface Running {
  registry: DeviceRegistry;
  hotStore: HotStore;
  gateways: GatewayTracker;
  deadLetters: DeadLetters;
  pipeline: IngestPipeline;
  /** Decode threads (`ingest.decodeThreads`), absent when decoding runs on the event loop. */
  decodePool?: DecodePool;
  live: LiveHub;
  detection: DetectionService;
  broker: Broker;
  http: HttpServer;
  /** MQTT over TLS on `mqtt.tlsPort`, when configured. */
  mqttTls?: TlsListener;
  sinks: Sink[];
  journal?: JournalSetup;
}

export class Gateway {
  readonly metrics: GatewayMetrics;
  private running: Running | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: GatewayOptions) {
    this.metrics = new GatewayMetrics({ defaultMetrics: opts.defaultMetrics });
    this.now = opts.now ?? Date.now;
  }

  /** Running parts, for tests and embedding; throws before start(). */
  get parts(): Running {
    if (this.running === undefined) throw new Error("gateway not started");
    return this.running;
  }

  async start(): Promise<GatewayAddress> {
    const { config, logger } = this.opts;
    const now = this.now;
    const metrics = this.metrics;
    if (config.mode === "demo") {
      // The config loader refuses this too; a config built in code must not slip past it.
      for (const [name, host] of [
        ["mqtt.host", config.mqtt.host],
        ["http.host", config.http.host],
      ] as const)
        if (!isLoopbackHost(host))
          throw new CityTwinError(
            "CONFIG_INVALID",
            `${name} ${host}: demo mode (no authentication) is allowed only on a loopback address`,
          );
      logger.warn({ mode: "demo", mqtt: config.mqtt.host, http: config.http.host }, DEMO_BANNER);
    }
    const city = await loadCityFile(config.city);
    const registry = new DeviceRegistry(city.model);
    if (registry.tenant !== config.tenant) {
      logger.warn(
        { configTenant: config.tenant, cityTenant: registry.tenant },
        "tenant differs between config and city model",
      );
    }
    const { pointsPerSensor, memoryMb } = config.hotStore;
    const hotPoints = hotStoreCapacity(registry.sensors.length, pointsPerSensor, memoryMb);
    if (hotPoints < pointsPerSensor)
      logger.warn(
        { sensors: registry.sensors.length, pointsPerSensor, memoryMb, kept: hotPoints },
        "hot store: fewer points per sensor than configured, to stay within hotStore.memoryMb",
      );
    const hotStore = new HotStore(registry.sensors.length, hotPoints);
    const known = new Set([...registry.gatewayIds, ...config.gateways.map((g) => g.id)]);
    // Credentials store, rate limits, provisioning (security/setup.ts); adds stored ids to `known`.
    const security = await setUpSecurity({ config, logger, metrics, now, known });
    const gateways = new GatewayTracker(known);
    const deadLetters = new DeadLetters(
      config.ingest.deadLetterRing,
      config.ingest.deadLetterFile,
      logger.child({ part: "dead-letters" }),
    );

    // Notices go out through the broker, which is built below; until it runs they are dropped.
    const rejections = new RejectionReporter(
      config.tenant,
      deadLetters,
      metrics,
      logger.child({ part: "ingest" }),
      now,
      (topic, payload) => this.running?.broker.publish(topic, payload, 0, false),
    );
    const onWriteFailed: WriteFailedHandler = (sink, lines, error) => {
      deadLetters.add({
        at: now(),
        reason: "INFLUX_REFUSED",
        message: error.message.slice(0, 500),
        topic: sink,
        count: lines.length,
        payload: DeadLetters.preview(Buffer.from(lines.slice(0, 8).join("\n"))),
      });
      this.opts.onWriteFailed?.(sink, lines, error);
    };
    const decodeThreads = decodeThreadCount(config.ingest.decodeThreads);
    const decodePool =
      decodeThreads === 0
        ? undefined
        : new DecodePool({
            threads: decodeThreads,
            registry,
            limits: config.limits,
            logger: logger.child({ part: "ingest" }),
            metrics,
          });
    const journal = setUpJournal({ config, registry, gateways, metrics, logger, now, decodePool });
    const sinks: Sink[] = [];
    const influx = config.influx;
    if (influx?.v1 !== undefined) {
      sinks.push(
        new InfluxV1Writer({
          target: influx.v1,
          batchSize: influx.batchSize,
          flushIntervalMs: influx.flushIntervalMs,
          maxRetries: influx.maxRetries,
          maxQueuedLines: influx.maxQueuedLines,
          concurrency: influx.concurrency,
          logger: logger.child({ part: "influx-v1" }),
          metrics,
          onWriteFailed,
          journal: journal?.forSink("influx-v1"),
        }),
      );
    }
    if (influx?.v2 !== undefined) {
      sinks.push(
        new InfluxV2Writer({
          target: influx.v2,
          batchSize: influx.batchSize,
          flushIntervalMs: influx.flushIntervalMs,
          maxRetries: influx.maxRetries,
          maxQueuedLines: influx.maxQueuedLines,
          concurrency: influx.concurrency,
          logger: logger.child({ part: "influx-v2" }),
          metrics,
          onWriteFailed,
          journal: journal?.forSink("influx-v2"),
        }),
      );
    }
    const operators = new OperatorAuthenticator(config.operators, now, security.operatorOptions);
    if (operators.size === 0)
      logger.warn({}, "no operators configured: alarms cannot be acknowledged (see gateway/README.md)");
    const live = new LiveHub({
      tickMs: config.live.tickMs,
      maxBufferedBytes: config.live.maxBufferedBytes,
      registry,
      hotStore,
      metrics,
      logger: logger.child({ part: "live" }),
      now,
      admit: async (req) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        if (config.mode === "demo" && bearerToken(req.headers.authorization, url) === undefined)
          return { ok: true, alarms: true };
        const verdict = await checkBearer(operators, req, url, "viewer");
        return verdict.ok ? { ok: true, alarms: true } : verdict;
      },
      alarmSnapshot: () => ({
        type: "alarms",
        alarms: this.running?.detection.alarms.alarms() ?? [],
        incidents: this.running?.detection.alarms.incidents({ openOnly: true }) ?? [],
      }),
    });
    const detection = await DetectionService.create({
      city: city.model,
      registry,
      hotStore,
      logger,
      now,
      stateDir: config.alarms.stateDir,
      tickMs: config.alarms.tickMs,
      snapshotIntervalMs: config.alarms.snapshotIntervalMs,
      metricsRegistry: metrics.registry,
      onAlarmEvent: (e) => {
        if (e.type === "alarm" || e.type === "incident") live.pushAlarm(e);
        else if (e.type === "flood") {
          live.pushAlarm({ type: "flood", active: e.active, rate: e.rate, ts: e.ts, position: e.position });
          logger.warn({ position: e.position, active: e.active, rate: e.rate }, "alarm flood state changed");
        }
      },
    });
    await decodePool?.start();
    const pipeline = new IngestPipeline({
      decodePool,
      registry,
      hotStore,
      sinks,
      listeners: [live, detection],
      gateways,
      rejections,
      metrics,
      logger: logger.child({ part: "ingest" }),
      now,
      limits: config.limits,
      queueHighWater: config.ingest.queueHighWater,
      queueMax: config.ingest.queueMax,
    });
    // Commands go out through the broker built below; results come back through its hook.
    const commands = new CommandClient(
      config.tenant,
      (topic, payload, qos) => this.running?.broker.publish(topic, payload, qos, false),
      now,
    );
    // MQTT sessions (docs/reliability.md, "Broker sessions"): on disk by default with a state dir.
    const stateDir = config.alarms.stateDir;
    const sessionStore = await openSessionStore(
      config.mqtt.persistence ?? (stateDir === undefined ? "memory" : "level"),
      stateDir === undefined ? undefined : join(stateDir, SESSIONS_DIR),
    );
    const broker = new Broker({
      sessionStore,
      tenant: config.tenant,
      authenticator: security.gatewayAuth,
      limits: config.limits,
      operators,
      maxPayloadBytes: config.limits.maxPayloadBytes,
      offer: (item, done) => pipeline.offer(item, done),
      onCommandResult: (topic, payload) => commands.onMessage(topic, payload),
      rejections,
      metrics,
      logger: logger.child({ part: "broker" }),
      journal: journal?.journal,
      onSession: (id, connected) => {
        const g = gateways.get(id);
        g.connected = connected;
        g.lastSeenAt = now();
      },
    });
    const api = new Api({
      cityJson: city.json,
      registry,
      hotStore,
      gateways,
      deadLetters,
      metrics,
      influxV1: influx?.v1,
      staticDir: config.http.staticDir,
      alarmRoutes: new AlarmRoutes({ alarms: detection.alarms, auth: operators, mode: config.mode }),
      commandRoutes: new CommandRoutes({
        commands,
        auth: operators,
        alarms: detection.alarms,
        knownGateway: (id) => known.has(id),
        deadLetters,
        metrics,
      }),
      securityRoutes: security.routes({
        disconnect: (id) => this.running?.broker.disconnectGateway(id) ?? 0,
        alarms: detection.alarms,
        auth: operators,
        onCredential: (id) => {
          known.add(id);
          gateways.get(id);
        },
      }),
      viewerRoutes: new ViewerRoutes({
        registry,
        hotStore,
        influxV1: influx?.v1,
        viewerConfig: viewerConfigOf(config),
        assetsDir: config.viewer?.assetsDir,
        auth: operators,
        mode: config.mode,
        logger: logger.child({ part: "http" }),
        now,
      }),
      logger: logger.child({ part: "http" }),
      now,
      auth: operators,
      mode: config.mode,
      metricsAuth:
        config.http.metricsTokenHash === undefined
          ? undefined
          : new OperatorAuthenticator(
              [{ name: "metrics", role: "viewer", tokenHash: config.http.metricsTokenHash }],
              now,
            ),
      health: () => ({
        mode: config.mode,
        ...(config.mode === "demo" ? { warning: DEMO_BANNER } : {}),
        sensors: registry.sensors.length,
        queueDepth: pipeline.queue.depth,
        liveClients: live.clientCount,
      }),
    });
    // TLS (docs/security.md, "TLS"): a listener's own certificate, else the shared one.
    const mqttTlsFiles = listenerTls(config, config.mqtt.tls);
    const httpTlsFiles = listenerTls(config, config.http.tls);
    const http = new HttpServer(
      api,
      {
        "/mqtt": (req, socket, head) => broker.handleUpgrade(req, socket, head),
        "/live": (req, socket, head) => live.handleUpgrade(req, socket, head),
      },
      logger.child({ part: "http" }),
      httpTlsFiles === undefined ? undefined : serverTlsOptions(httpTlsFiles),
    );
    const mqttTls =
      mqttTlsFiles === undefined
        ? undefined
        : new TlsListener(serverTlsOptions(mqttTlsFiles), (socket) => broker.handleConnection(socket));
    this.running = {
      registry,
      hotStore,
      gateways,
      deadLetters,
      pipeline,
      decodePool,
      live,
      detection,
      broker,
      http,
      mqttTls,
      sinks,
      journal,
    };

    await deadLetters.start();
    for (const s of sinks) await s.start();
    journal?.start();
    await live.start();
    detection.start();
    const mqttPort = await broker.start(config.mqtt.host, config.mqtt.port);
    const mqttTlsPort = await mqttTls?.start(config.mqtt.host, config.mqtt.tlsPort, "MQTT over TLS");
    const httpPort = await http.start(config.http.host, config.http.port);
    const host = config.http.host.includes(":") ? `[${config.http.host}]` : config.http.host;
    const scheme = http.secure ? "https" : "http";
    return {
      mqttPort,
      httpPort,
      url: `${scheme}://${host}:${httpPort}/`,
      ...(mqttTlsPort === undefined ? {} : { mqttTlsPort }),
    };
  }

  /** Graceful stop: no new connections, drain ingest, flush the sinks. Safe to call twice. */
  async stop(): Promise<void> {
    const r = this.running;
    this.running = undefined;
    if (r === undefined) return;
    const tlsClosed = r.mqttTls?.stop(); // resolves once the broker has closed its clients
    await r.broker.stop();
    await tlsClosed;
    await r.live.stop();
    await r.http.stop();
    await r.pipeline.stop();
    await r.detection.stop();
    for (const s of r.sinks) await s.stop();
    r.journal?.close();
    await r.deadLetters.stop();
  }
}

/** The viewer's part of the `viewer:` section (without the gateway's `assetsDir`). */
function viewerConfigOf(config: GatewayConfig): ViewerConfig {
  if (config.viewer === undefined) return { drawModelBuildings: true, layers: [] };
  const { assetsDir: _dir, ...viewer } = config.viewer;
  return viewer;
}
