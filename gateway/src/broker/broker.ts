/**
 * The embedded MQTT 3.1.1 broker (Aedes 1.2) on TCP (`noDelay`, see ARCHITECTURE.md) and on
 * WebSocket at `/mqtt` of the HTTP server [MQTT-6.0.0].
 *
 * Identity: the MQTT username is the gateway id; the broker remembers it per client and
 * confines the client to topics under `ct/v1/{tenant}/{gatewayId}/`.
 *  - CONNECT with a zero-length client id is refused with CONNACK 0x02 (Identifier rejected)
 *    [MQTT-3.1.3-8, MQTT-3.1.3-9]; Aedes would otherwise accept it (aedes #1095).
 *  - Unknown gateway or wrong password: CONNACK 0x04; no username: 0x05.
 *
 * Refused publishes. Aedes turns an `authorizePublish` error into a dropped connection
 * (handlePublish → client 'error' → socket destroyed) with no PUBACK, so a QoS 1 sender would
 * reconnect and resend the same message forever. [MQTT-3.3.5-2] allows the alternative:
 * acknowledge normally and discard. We take it: the packet is re-targeted to a `$` topic no
 * client may subscribe to, with an empty payload and no retain, and PUBACKed as usual; the
 * refusal is counted, dead-lettered, logged and noticed on the sender's own
 * `…/ingest/rejected`. Reasons: TOPIC_UNKNOWN (outside the scheme, or a channel an edge may
 * not publish: config, cmd, ingest/rejected), TOPIC_IDENTITY (another tenant or gateway),
 * PAYLOAD_TOO_LARGE.
 *
 * Subscriptions: a gateway may subscribe to its own `cmd/+` (or one `cmd/{name}`), `config`
 * and `ingest/rejected`; anything else gets SUBACK 0x80 [MQTT-3.9.3].
 *
 * `published` never awaits I/O: telemetry and status go to the ingest queue synchronously;
 * its completion callback is held only for explicit backpressure (see ingest/queue.ts).
 * Platform publishes (rejection notices, commands, config) use `publish()` in-process and
 * bypass the ACL.
 */
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from "aedes";
import type { Logger } from "pino";
import { WebSocketServer, createWebSocketStream } from "ws";
import { CityTwinError, parseTopic, topics, type RejectReason } from "@citytwin/model";
import type { IngestItem } from "../ingest/queue";
import type { RejectionReporter } from "../ingest/rejections";
import type { GatewayMetrics } from "../metrics";
import type { GatewayAuthenticator } from "./auth";

/** Where refused publishes are re-targeted; `$` topics never match `#` or `+` [MQTT-4.7.2-1]. */
export const DROP_TOPIC = "$citytwin/dropped";

interface Identity {
  gatewayId: string;
  telemetry: string;
  status: string;
  prefix: string;
}

export interface BrokerOptions {
  tenant: string;
  authenticator: GatewayAuthenticator;
  maxPayloadBytes: number;
  offer: (item: IngestItem, done: () => void) => void;
  /** Command results published by an identified gateway (authorised by the ACL). */
  onCommandResult?: (topic: string, payload: Buffer) => void;
  rejections: RejectionReporter;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Told when a gateway's MQTT session starts or ends. */
  onSession?: (gatewayId: string, connected: boolean) => void;
}

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export class Broker {
  private aedes: Aedes | undefined;
  private tcp: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly identities = new WeakMap<Client, Identity>();
  private readonly emptyIds = new WeakSet<Client>();

  constructor(private readonly opts: BrokerOptions) {}

  /** Starts the broker and its TCP listener; resolves with the bound port. */
  async start(host: string, port: number): Promise<number> {
    const aedes = new Aedes({
      preConnect: (client, packet, cb) => {
        if (packet.clientId.length === 0) this.emptyIds.add(client);
        cb(null, true);
      },
      authenticate: (client, username, password, cb) => this.authenticate(client, username, password, cb),
      authorizePublish: (client, packet, cb) => this.authorizePublish(client, packet, cb),
      authorizeSubscribe: (client, sub, cb) => {
        const id = this.identities.get(client);
        const p = parseTopic(sub.topic);
        const own = id !== undefined && sub.topic.startsWith(id.prefix);
        const allowed =
          own &&
          (sub.topic === `${id.prefix}cmd/+` ||
            p?.channel.kind === "cmd" ||
            p?.channel.kind === "config" ||
            p?.channel.kind === "rejected");
        if (!allowed) {
          this.opts.logger.warn({ gatewayId: id?.gatewayId, topic: sub.topic }, "subscription refused");
          cb(null, null);
          return;
        }
        cb(null, sub);
      },
      published: (packet, client, cb) => {
        const id = client === null ? undefined : this.identities.get(client);
        if (id === undefined) return cb();
        if (packet.topic === id.telemetry) {
          this.opts.offer(
            {
              kind: "telemetry",
              gatewayId: id.gatewayId,
              clientId: client.id,
              topic: packet.topic,
              payload: packet.payload as Buffer,
            },
            () => cb(),
          );
        } else if (packet.topic === id.status && packet.payload.length > 0) {
          this.opts.offer(
            {
              kind: "status",
              gatewayId: id.gatewayId,
              clientId: client.id,
              topic: packet.topic,
              payload: packet.payload as Buffer,
            },
            () => cb(),
          );
        } else {
          if (packet.topic.startsWith(id.prefix) && packet.topic.endsWith("/result"))
            this.opts.onCommandResult?.(packet.topic, packet.payload as Buffer);
          cb();
        }
      },
    });
    aedes.on("clientReady", (client) => {
      this.opts.metrics.mqttClients.inc();
      const id = this.identities.get(client);
      if (id !== undefined) this.opts.onSession?.(id.gatewayId, true);
    });
    aedes.on("clientDisconnect", (client) => {
      this.opts.metrics.mqttClients.dec();
      const id = this.identities.get(client);
      if (id !== undefined) this.opts.onSession?.(id.gatewayId, false);
    });
    aedes.on("clientError", (client, err) => {
      this.opts.logger.debug({ clientId: client.id, err: err.message }, "mqtt client error");
    });
    await aedes.listen();
    this.aedes = aedes;
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

    const tcp = createServer({ noDelay: true }, (socket: Socket) => aedes.handle(socket));
    this.tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once("error", (cause) =>
        reject(new CityTwinError("LISTEN_FAILED", `MQTT cannot listen on ${host}:${port}`, { cause })),
      );
      tcp.listen(port, host, () => resolve());
    });
    return (tcp.address() as AddressInfo).port;
  }

  /** Hands an HTTP upgrade for `/mqtt` to the broker (MQTT over WebSocket). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { wss, aedes } = this;
    if (wss === undefined || aedes === undefined) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      stream.on("error", () => stream.destroy());
      aedes.handle(stream, req);
    });
  }

  /** In-process publish from the platform (bypasses the ACL). */
  publish(topic: string, payload: Buffer, qos: 0 | 1 = 0, retain = false): void {
    this.aedes?.publish({ cmd: "publish", topic, payload, qos, retain, dup: false }, (err) => {
      if (err) this.opts.logger.error({ err, topic }, "platform publish failed");
    });
  }

  async stop(): Promise<void> {
    const { tcp, aedes, wss } = this;
    this.tcp = undefined;
    this.aedes = undefined;
    this.wss = undefined;
    const tcpClosed = tcp === undefined ? Promise.resolve() : new Promise<void>((r) => tcp.close(() => r()));
    if (aedes !== undefined) await new Promise<void>((r) => aedes.close(() => r()));
    if (wss !== undefined) {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    }
    await tcpClosed;
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    cb: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    if (this.emptyIds.has(client)) {
      this.opts.metrics.authFailures.inc({ reason: "empty-client-id" });
      cb(authError("zero-length client id refused", 2), null);
      return;
    }
    this.opts.authenticator.check(username, password).then(
      (verdict) => {
        if (verdict === "ok" && username !== undefined) {
          const prefix = `ct/v1/${this.opts.tenant}/${username}/`;
          this.identities.set(client, {
            gatewayId: username,
            prefix,
            telemetry: topics.telemetry(this.opts.tenant, username),
            status: topics.status(this.opts.tenant, username),
          });
          cb(null, true);
          return;
        }
        this.opts.metrics.authFailures.inc({ reason: verdict });
        this.opts.logger.warn({ clientId: client.id, username, reason: verdict }, "mqtt connection refused");
        cb(authError(`authentication failed: ${verdict}`, verdict === "no-credentials" ? 5 : 4), null);
      },
      (err: unknown) => {
        this.opts.logger.error({ err }, "mqtt authentication error");
        cb(authError("authentication error", 3), null);
      },
    );
  }

  private authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    cb: (error?: Error | null) => void,
  ): void {
    if (client === null) return cb(null);
    const id = this.identities.get(client);
    let reason: RejectReason | undefined;
    let message = "";
    if (id === undefined) {
      reason = "TOPIC_IDENTITY";
      message = "client has no gateway identity";
    } else if (packet.topic !== id.telemetry && packet.topic !== id.status) {
      const p = parseTopic(packet.topic);
      if (p === undefined) {
        reason = "TOPIC_UNKNOWN";
        message = "topic outside ct/v1 scheme";
      } else if (p.tenant !== this.opts.tenant || p.gatewayId !== id.gatewayId) {
        reason = "TOPIC_IDENTITY";
        message = `gateway ${id.gatewayId} may publish only under ${id.prefix}`;
      } else if (p.channel.kind !== "cmdResult") {
        reason = "TOPIC_UNKNOWN";
        message = `channel ${p.channel.kind} is not published by an edge gateway`;
      }
    }
    if (reason === undefined && packet.payload.length > this.opts.maxPayloadBytes) {
      reason = "PAYLOAD_TOO_LARGE";
      message = `${packet.payload.length} bytes > ${this.opts.maxPayloadBytes}`;
    }
    if (reason === undefined) return cb(null);
    this.opts.rejections.reject({
      reason,
      message,
      topic: packet.topic,
      gatewayId: id?.gatewayId,
      clientId: client.id,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
    });
    // Acknowledge and discard [MQTT-3.3.5-2]; see the file comment.
    packet.topic = DROP_TOPIC;
    packet.payload = Buffer.alloc(0);
    packet.retain = false;
    cb(null);
  }
}
