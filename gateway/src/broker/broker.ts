/**
 * The embedded MQTT 3.1.1 broker (Aedes 1.2) on TCP (`noDelay`, see ARCHITECTURE.md) and on
 * WebSocket at `/mqtt` of the HTTP server [MQTT-6.0.0].
 *
 * Identity: the MQTT username is the gateway id; the broker remembers it per client and
 * confines the client to topics under `ct/v1/{tenant}/{gatewayId}/`. Operators log in as
 * `op:{name}` with their token as password and get their role's ACL (acl.ts, operator-auth.ts).
 *  - A zero-length client id is accepted with CleanSession=1 (Aedes assigns a unique id)
 *    [MQTT-3.1.3-6, MQTT-3.1.3-7] and refused with CONNACK 0x02 (Identifier rejected) with
 *    CleanSession=0 [MQTT-3.1.3-8]; Aedes would otherwise accept both (aedes #1095).
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
 * and `ingest/rejected`; operators per role (acl.ts); anything else gets SUBACK 0x80 [MQTT-3.9.3].
 * Operator publishes: only an admin's to `cmd/{name}` and `config`; any other is refused the
 * same acknowledge-and-discard way as a gateway's (below).
 *
 * Ingest journal (docs/reliability.md): Aedes sends the QoS 1 PUBACK right after
 * `authorizePublish`, before `published`. So an accepted publish on the sender's own telemetry
 * topic is appended to the journal there, synchronously (with fsync "always" the callback waits
 * for the group-commit fsync), and its record number rides to the pipeline with the packet.
 * Journal full: the callback gets an Error, Aedes drops the connection without PUBACK and the
 * edge keeps the batch in its store-and-forward (counted in the journal, warned per period).
 *
 * `published` never awaits I/O: telemetry and status go to the ingest queue synchronously;
 * its completion callback is held only for explicit backpressure (see ingest/queue.ts).
 * Platform publishes (rejection notices, commands, config) use `publish()` in-process and
 * bypass the ACL.
 *
 * Rate limits (docs/security.md, "Rate limits"; `limits` in the config):
 *  - connections per source IP (token bucket, `connectsPerSecond`/`connectBurst`): over it the
 *    TCP socket (or WebSocket upgrade) is closed before any MQTT byte is parsed;
 *  - failed logins per source IP (`mqttAuthFailuresPerMinute`): scrypt runs only while the IP
 *    has budget (a token is reserved before scrypt and refunded on success); with none left the
 *    CONNECT gets CONNACK 0x05 (not authorized) at once [MQTT-3.2.2-5];
 *  - PUBLISH packets per client (`messagesPerSecond`/`messageBurst`): past it the client is
 *    paused, not refused: `authorizePublish` answers late, Aedes reads nothing more from that
 *    socket meanwhile and TCP flow control pushes back. MQTT 3.1.1 has no flow control of its
 *    own and sets no deadline for the PUBACK [MQTT-3.3.4-1], so nothing acknowledged is lost.
 *  Each refusal or pause is counted in `citytwin_mqtt_rate_limited_total{kind}`.
 *
 * Revocation: `disconnectGateway` closes every live session of a gateway id at once.
 */
import { listen } from "../listen";
import { createServer, type Server, type Socket } from "node:net";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from "aedes";
import type { Logger } from "pino";
import { WebSocketServer, createWebSocketStream } from "ws";
import { topics } from "@citytwin/model";
import type { IngestItem } from "../ingest/queue";
import type { RejectionReporter } from "../ingest/rejections";
import type { GatewayMetrics } from "../metrics";
import type { Principal } from "../alarms/types";
import type { OperatorAuthenticator } from "../auth/operators";
import {
  gatewayMayPublish,
  maySubscribe,
  operatorMayPublish,
  type MqttPrincipal,
  type PublishVerdict,
} from "./acl";
import type { GatewayAuthenticator } from "./auth";
import { isOperatorUsername, loginOperator } from "./operator-auth";
import { deliverAtMaxQos } from "./overlap";
import { markRedeliveries } from "./redelivery";
import { clientCertCn } from "./client-cert";
import { sortableBrokerId, storeOnlyGranted, type SessionStore } from "./persistence";
import { KeyedLimiter, TokenBucket, peerIp, type RateLimits } from "../security/rate-limit";

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
  /** Operators who may log in over MQTT as `op:{name}` (absent: none may). */
  operators?: OperatorAuthenticator;
  maxPayloadBytes: number;
  offer: (item: IngestItem, done: () => void) => void;
  /** Command results published by an identified gateway (authorised by the ACL). */
  onCommandResult?: (topic: string, payload: Buffer) => void;
  rejections: RejectionReporter;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Told when a gateway's MQTT session starts or ends. */
  onSession?: (gatewayId: string, connected: boolean) => void;
  /** The ingest journal (absent: telemetry is held in memory only until written). */
  journal?: BrokerJournal;
  /** Rate limits (absent: none). */
  limits?: RateLimits;
  /** MQTT session store (persistence.ts; absent: Aedes' in-memory default); closed by stop(). */
  sessionStore?: SessionStore;
}

/** What the broker needs of the ingest journal (journal/journal.ts). */
export interface BrokerJournal {
  /** Appends synchronously; the record number, or undefined when the journal is full. */
  append(gatewayId: string, payload: Buffer): number | undefined;
  whenDurable(cb: () => void): void;
}

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export class Broker {
  private aedes: Aedes | undefined;
  private tcp: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly identities = new WeakMap<Client, Identity>();
  /** Clients that sent a zero-length client id with CleanSession=0 [MQTT-3.1.3-8]. */
  private readonly emptyIds = new WeakSet<Client>();
  private readonly operators = new WeakMap<Client, Principal>();
  /** Journal record number of each journaled publish, from authorizePublish to published. */
  private readonly journaled = new WeakMap<PublishPacket, number>();
  /** Live sessions per gateway id, for revocation. */
  private readonly sessions = new Map<string, Set<Client>>();
  private readonly connectLimiter: KeyedLimiter | undefined;
  private readonly authLimiter: KeyedLimiter | undefined;
  private readonly messageBuckets = new WeakMap<Client, TokenBucket>();

  constructor(private readonly opts: BrokerOptions) {
    const l = opts.limits;
    if (l !== undefined) {
      this.connectLimiter = new KeyedLimiter(
        { ratePerS: l.connectsPerSecond, burst: l.connectBurst },
        Date.now,
      );
      this.authLimiter = new KeyedLimiter(
        { ratePerS: l.mqttAuthFailuresPerMinute / 60, burst: l.mqttAuthFailuresPerMinute },
        Date.now,
      );
    }
  }

  /** Closes every live MQTT session of `gatewayId` (revocation); the number closed. */
  disconnectGateway(gatewayId: string): number {
    const set = this.sessions.get(gatewayId);
    this.sessions.delete(gatewayId);
    let n = 0;
    for (const c of set ?? []) {
      if (c.closed) continue;
      n++;
      c.close();
    }
    if (n > 0)
      this.opts.logger.warn({ gatewayId, sessions: n }, "gateway sessions closed (credential revoked)");
    return n;
  }

  /** False (and counted) when `ip` is over its connection rate. */
  private admitConnection(address: string | undefined): boolean {
    if (this.connectLimiter === undefined || this.connectLimiter.take(peerIp(address))) return true;
    this.opts.metrics.rateLimited.inc({ kind: "connect" });
    return false;
  }

  private clientIp(client: Client): string {
    const conn = client.conn as { remoteAddress?: string };
    return peerIp(client.req?.socket.remoteAddress ?? conn.remoteAddress);
  }

  /** Starts the broker and its TCP listener; resolves with the bound port. */
  async start(host: string, port: number): Promise<number> {
    const persistence = this.opts.sessionStore?.persistence;
    if (persistence !== undefined)
      storeOnlyGranted(persistence, (client, topic) => {
        const principal = this.principal(client as Client);
        return principal !== undefined && maySubscribe(this.opts.tenant, principal, topic);
      });
    const aedes = new Aedes({
      id: sortableBrokerId(), // queued messages replay in order across restarts (persistence.ts)
      persistence,
      preConnect: (client, packet, cb) => {
        if (packet.clientId.length === 0 && !packet.clean) this.emptyIds.add(client);
        deliverAtMaxQos(client); // overlapping subscriptions [MQTT-3.3.5-1]
        cb(null, true);
      },
      authenticate: (client, username, password, cb) => this.authenticate(client, username, password, cb),
      authorizePublish: (client, packet, cb) => this.authorizePublish(client, packet, cb),
      authorizeSubscribe: (client, sub, cb) => {
        const principal = this.principal(client);
        if (principal === undefined || !maySubscribe(this.opts.tenant, principal, sub.topic)) {
          this.opts.logger.warn({ principal, topic: sub.topic }, "subscription refused");
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
              journalRecord: this.journaled.get(packet),
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
      if (id !== undefined) {
        this.sessions.get(id.gatewayId)?.delete(client);
        this.opts.onSession?.(id.gatewayId, false);
      }
    });
    aedes.on("clientError", (client, err) => {
      this.opts.logger.debug({ clientId: client.id, err: err.message }, "mqtt client error");
    });
    await aedes.listen();
    markRedeliveries(aedes); // DUP=1 on redelivery [MQTT-3.3.1-1]
    this.aedes = aedes;
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

    const tcp = createServer({ noDelay: true }, (socket: Socket) => {
      if (!this.admitConnection(socket.remoteAddress)) return void socket.destroy();
      aedes.handle(socket);
    });
    this.tcp = tcp;
    return listen(tcp, host, port, "MQTT");
  }

  /** Hands a connected stream to the broker like its TCP listener does (the TLS listener, ../tls.ts). */
  handleConnection(socket: Socket): void {
    const aedes = this.aedes;
    if (aedes === undefined || !this.admitConnection(socket.remoteAddress)) return void socket.destroy();
    aedes.handle(socket);
  }

  /** Hands an HTTP upgrade for `/mqtt` to the broker (MQTT over WebSocket). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { wss, aedes } = this;
    if (wss === undefined || aedes === undefined || !this.admitConnection(req.socket.remoteAddress)) {
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
    await this.opts.sessionStore?.close();
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    cb: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    if (this.emptyIds.has(client)) {
      this.opts.metrics.authFailures.inc({ reason: "empty-client-id" });
      cb(authError("zero-length client id with CleanSession=0 refused", 2), null);
      return;
    }
    if (isOperatorUsername(username)) return this.authenticateOperator(client, username, password, cb);
    const cn = clientCertCn(client.conn);
    if (cn !== undefined && cn !== username) {
      this.opts.metrics.authFailures.inc({ reason: "certificate-mismatch" });
      this.opts.logger.warn({ clientId: client.id, username, cn }, "mqtt connection refused: certificate CN");
      cb(authError(`client certificate CN ${cn} does not name gateway ${username ?? ""}`, 4), null);
      return;
    }
    const ip = this.clientIp(client);
    let reserved = false;
    // scrypt runs only while this IP has failure budget; the token is refunded on success.
    const admit = (): boolean => (reserved = this.authLimiter?.take(ip) ?? true);
    this.opts.authenticator.check(username, password, admit).then(
      (verdict) => {
        if (verdict === "ok" && reserved) this.authLimiter?.refund(ip);
        else if (verdict !== "ok" && verdict !== "rate-limited" && !reserved) this.authLimiter?.take(ip);
        if (verdict === "rate-limited") this.opts.metrics.rateLimited.inc({ kind: "auth" });
        if (verdict === "ok" && username !== undefined) {
          let live = this.sessions.get(username);
          if (live === undefined) this.sessions.set(username, (live = new Set()));
          for (const c of live) if (c.closed) live.delete(c);
          live.add(client);
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
        const code = verdict === "no-credentials" || verdict === "rate-limited" ? 5 : 4;
        cb(authError(`authentication failed: ${verdict}`, code), null);
      },
      (err: unknown) => {
        this.opts.logger.error({ err }, "mqtt authentication error");
        cb(authError("authentication error", 3), null);
      },
    );
  }

  /** Who the client authenticated as; undefined before authentication. */
  private principal(client: Client): MqttPrincipal | undefined {
    const op = this.operators.get(client);
    if (op !== undefined) return { kind: "operator", ...op };
    const id = this.identities.get(client);
    return id === undefined ? undefined : { kind: "gateway", gatewayId: id.gatewayId };
  }

  private authenticateOperator(
    client: Client,
    username: string,
    password: Buffer | undefined,
    cb: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const ip = this.clientIp(client);
    if (this.authLimiter !== undefined && !this.authLimiter.take(ip)) {
      this.opts.metrics.rateLimited.inc({ kind: "auth" });
      this.opts.metrics.authFailures.inc({ reason: "rate-limited" });
      cb(authError("authentication failed: rate-limited", 5), null);
      return;
    }
    loginOperator(this.opts.operators, username, password).then(
      (login) => {
        if (login.ok) {
          this.authLimiter?.refund(ip);
          this.operators.set(client, login.principal);
          cb(null, true);
          return;
        }
        this.opts.metrics.authFailures.inc({ reason: login.reason });
        this.opts.logger.warn(
          { clientId: client.id, username, reason: login.reason },
          "mqtt connection refused",
        );
        cb(authError(`authentication failed: ${login.reason}`, login.returnCode), null);
      },
      (err: unknown) => {
        this.opts.logger.error({ err }, "mqtt authentication error");
        cb(authError("authentication error", 3), null);
      },
    );
  }

  /** The per-client message limit: pauses (answers late) instead of refusing; see the file comment. */
  private authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    cb: (error?: Error | null) => void,
  ): void {
    const l = this.opts.limits;
    if (client === null || l === undefined) return this.authorizePublishNow(client, packet, cb);
    let bucket = this.messageBuckets.get(client);
    if (bucket === undefined) {
      bucket = new TokenBucket({ ratePerS: l.messagesPerSecond, burst: l.messageBurst }, Date.now());
      this.messageBuckets.set(client, bucket);
    }
    const wait = bucket.reserve(Date.now());
    if (wait === 0) return this.authorizePublishNow(client, packet, cb);
    this.opts.metrics.rateLimited.inc({ kind: "message" });
    setTimeout(() => {
      if (client.closed) return cb(new Error("client closed while paused by the message rate limit"));
      this.authorizePublishNow(client, packet, cb);
    }, wait).unref();
  }

  /** The ACL of acl.ts, the size limit, then the journal for the sender's own telemetry. */
  private authorizePublishNow(
    client: Client | null,
    packet: PublishPacket,
    cb: (error?: Error | null) => void,
  ): void {
    if (client === null) return cb(null);
    const operator = this.operators.get(client);
    const id = operator === undefined ? this.identities.get(client) : undefined;
    let verdict: PublishVerdict =
      operator !== undefined
        ? operatorMayPublish(this.opts.tenant, operator, packet.topic)
        : id !== undefined
          ? gatewayMayPublish(this.opts.tenant, id.gatewayId, packet.topic)
          : { ok: false, reason: "TOPIC_IDENTITY", message: "client has no gateway identity" };
    if (verdict.ok && packet.payload.length > this.opts.maxPayloadBytes)
      verdict = {
        ok: false,
        reason: "PAYLOAD_TOO_LARGE",
        message: `${packet.payload.length} bytes > ${this.opts.maxPayloadBytes}`,
      };
    if (!verdict.ok) {
      this.opts.rejections.reject({
        reason: verdict.reason,
        message: verdict.message,
        topic: packet.topic,
        gatewayId: id?.gatewayId,
        clientId: client.id,
        payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      });
      // Acknowledge and discard [MQTT-3.3.5-2]; see the file comment.
      packet.topic = DROP_TOPIC;
      packet.payload = Buffer.alloc(0);
      packet.retain = false;
      return cb(null);
    }
    if (id !== undefined && packet.topic === id.telemetry) return this.journal(id, packet, cb);
    cb(null);
  }

  /** Appends an accepted telemetry publish to the journal before Aedes PUBACKs it. */
  private journal(id: Identity, packet: PublishPacket, cb: (error?: Error | null) => void): void {
    const journal = this.opts.journal;
    if (journal === undefined) return cb(null);
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const record = journal.append(id.gatewayId, payload);
    // Full: no PUBACK, the connection drops and the edge retries later (counted by the journal).
    if (record === undefined) return cb(new Error("ingest journal full"));
    this.journaled.set(packet, record);
    journal.whenDurable(() => cb(null));
  }
}
