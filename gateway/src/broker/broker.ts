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
import type { Principal } from "../alarms/types";
import type { OperatorAuthenticator } from "../auth/operators";
import { maySubscribe, operatorMayPublish, type MqttPrincipal, type PublishVerdict } from "./acl";
import type { GatewayAuthenticator } from "./auth";
import { isOperatorUsername, loginOperator } from "./operator-auth";
import { deliverAtMaxQos } from "./overlap";
import { markRedeliveries } from "./redelivery";

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

  constructor(private readonly opts: BrokerOptions) {}

  /** Starts the broker and its TCP listener; resolves with the bound port. */
  async start(host: string, port: number): Promise<number> {
    const aedes = new Aedes({
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
      if (id !== undefined) this.opts.onSession?.(id.gatewayId, false);
    });
    aedes.on("clientError", (client, err) => {
      this.opts.logger.debug({ clientId: client.id, err: err.message }, "mqtt client error");
    });
    await aedes.listen();
    markRedeliveries(aedes); // DUP=1 on redelivery [MQTT-3.3.1-1]
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
      cb(authError("zero-length client id with CleanSession=0 refused", 2), null);
      return;
    }
    if (isOperatorUsername(username)) return this.authenticateOperator(client, username, password, cb);
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
    loginOperator(this.opts.operators, username, password).then(
      (login) => {
        if (login.ok) {
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

  /** Operators: the ACL of acl.ts; a refusal is acknowledged and discarded [MQTT-3.3.5-2]. */
  private authorizeOperatorPublish(
    client: Client,
    operator: Principal,
    packet: PublishPacket,
    cb: (error?: Error | null) => void,
  ): void {
    let verdict: PublishVerdict = operatorMayPublish(this.opts.tenant, operator, packet.topic);
    if (verdict.ok && packet.payload.length > this.opts.maxPayloadBytes)
      verdict = {
        ok: false,
        reason: "PAYLOAD_TOO_LARGE",
        message: `${packet.payload.length} bytes > ${this.opts.maxPayloadBytes}`,
      };
    if (verdict.ok) return cb(null);
    this.opts.rejections.reject({
      reason: verdict.reason,
      message: verdict.message,
      topic: packet.topic,
      clientId: client.id,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
    });
    packet.topic = DROP_TOPIC;
    packet.payload = Buffer.alloc(0);
    packet.retain = false;
    cb(null);
  }

  private authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    cb: (error?: Error | null) => void,
  ): void {
    if (client === null) return cb(null);
    const operator = this.operators.get(client);
    if (operator !== undefined) return this.authorizeOperatorPublish(client, operator, packet, cb);
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
    if (reason === undefined) {
      if (id !== undefined && packet.topic === id.telemetry) return this.journal(id, packet, cb);
      return cb(null);
    }
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
