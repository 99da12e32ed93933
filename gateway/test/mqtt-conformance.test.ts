/**
 * The embedded broker against MQTT 3.1.1 (OASIS Standard, 29 October 2014; clause numbers
 * [MQTT-x.y.z-n] are its normative statements) and its topic ACLs by identity (issue 6).
 * A real gateway in-process (harness), real clients on 127.0.0.1: MQTT.js where it suffices,
 * a raw mqtt-packet client where MQTT.js would hide the behaviour (no PUBACK, no PINGREQ,
 * zero-length client id with CleanSession=0). docs/security.md lists each test with its clause.
 */
import { connect as tcpConnect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt, { type IClientOptions, type IConnackPacket, type MqttClient } from "mqtt";
import { generate, parser, type IConnectPacket, type Packet } from "mqtt-packet";
import { topics, type GatewayStatus } from "@citytwin/model";
import { GAS_DEV, GW, GW2, TENANT, batch } from "./fixtures";
import { SECRETS, TOKENS, eventually, startTestGateway, testOperators, type TestGateway } from "./harness";

let gw: TestGateway;
const open: { end(force?: boolean): unknown }[] = [];

beforeAll(async () => {
  gw = await startTestGateway({ operators: await testOperators() });
});

afterAll(async () => {
  for (const c of open) c.end(true);
  await gw?.stop();
});

const url = (): string => `mqtt://127.0.0.1:${gw.addr.mqttPort}`;
const uniqueId = (tag: string): string => `${tag}-${Math.random().toString(36).slice(2, 10)}`;
const platformPublish = (topic: string, payload: string | Buffer, qos: 0 | 1 = 1, retain = false): void =>
  gw.gateway.parts.broker.publish(topic, Buffer.from(payload), qos, retain);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  dup: boolean;
}

interface Session {
  client: MqttClient;
  connack: IConnackPacket;
  messages: Received[];
}

/** Connects with MQTT.js, recording messages from the first packet after CONNACK on. */
function session(opts: IClientOptions): Promise<Session> {
  const client = mqtt.connect(url(), { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  open.push(client);
  const messages: Received[] = [];
  client.on("message", (topic, payload, packet) =>
    messages.push({
      topic,
      payload: payload.toString(),
      qos: packet.qos,
      retain: packet.retain,
      dup: packet.dup,
    }),
  );
  return new Promise((resolve, reject) => {
    client.once("connect", (connack) => resolve({ client, connack, messages }));
    client.once("error", (err) => {
      client.end(true);
      reject(err);
    });
  });
}

const gatewaySession = (opts: IClientOptions = {}): Promise<Session> =>
  session({ clientId: uniqueId("edge"), username: GW, password: SECRETS[GW], ...opts });

const OP_USER = { admin: "op:duty-admin", operator: "op:duty-op", viewer: "op:wall" } as const;
type Role = keyof typeof OP_USER;
const operatorSession = (role: Role, opts: IClientOptions = {}): Promise<Session> =>
  session({ clientId: uniqueId(role), username: OP_USER[role], password: TOKENS[role], ...opts });

/** The SUBACK return codes for `filters` (MQTT.js rejects on 0x80; the packet still comes back). */
function suback(client: MqttClient, filters: string[], qos: 0 | 1 = 1): Promise<number[]> {
  return new Promise((resolve, reject) =>
    client.subscribe(filters, { qos }, (err, _granted, packet) => {
      const codes = (packet as { granted?: number[] } | undefined)?.granted;
      if (codes !== undefined) resolve(codes);
      else reject(err ?? new Error("no SUBACK"));
    }),
  );
}

/** Connected MQTT clients as the broker counts them. */
const clients = (): Promise<number> => gw.metric("citytwin_mqtt_clients");
const untilClients = (n: number): Promise<true> =>
  eventually(async () => ((await clients()) === n ? true : undefined));

/** A bare MQTT 3.1.1 client: sends exactly what it is told, acknowledges nothing by itself. */
class RawClient {
  readonly packets: Packet[] = [];
  private read = 0;
  private wake: (() => void) | undefined;
  closedAt: number | undefined;
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    const p = parser({ protocolVersion: 4 });
    p.on("packet", (packet: Packet) => {
      this.packets.push(packet);
      this.wake?.();
    });
    socket.on("data", (chunk) => p.parse(chunk));
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.closedAt = Date.now();
        this.wake?.();
        resolve();
      }),
    );
    socket.on("error", () => undefined);
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host: "127.0.0.1", port }, () => resolve(new RawClient(socket)));
      socket.once("error", reject);
    });
  }

  send(packet: Packet | Buffer): void {
    this.socket.write(Buffer.isBuffer(packet) ? packet : generate(packet));
  }

  connect(opts: Partial<IConnectPacket>): void {
    this.send({
      cmd: "connect",
      protocolId: "MQTT",
      protocolVersion: 4,
      clean: true,
      keepalive: 0,
      clientId: "",
      username: GW,
      password: Buffer.from(SECRETS[GW]!),
      ...opts,
    });
  }

  /** The next packet not yet consumed (in arrival order); undefined once the socket closed. */
  async next(timeoutMs = 10_000): Promise<Packet | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.read >= this.packets.length) {
      if (this.closedAt !== undefined) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no packet within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.packets[this.read++];
  }

  end(): void {
    this.socket.destroy();
  }
}

async function rawSession(opts: Partial<IConnectPacket>): Promise<{ raw: RawClient; connack: Packet }> {
  const raw = await RawClient.open(gw.addr.mqttPort);
  open.push(raw);
  raw.connect(opts);
  const connack = await raw.next();
  if (connack === undefined) throw new Error("closed before CONNACK");
  return { raw, connack };
}

/**
 * CONNECT with a zero-length client id and CleanSession=0, built by hand: MQTT.js and
 * mqtt-packet both refuse to send it (the client side of [MQTT-3.1.3-7]).
 */
function connectEmptyIdUnclean(username: string, password: string): Buffer {
  const str = (s: string): Buffer => {
    const b = Buffer.from(s, "utf8");
    return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
  };
  // protocol name, level 4, flags: user name + password, CleanSession=0; keepalive 0
  const variable = Buffer.concat([str("MQTT"), Buffer.from([4, 0xc0, 0, 0])]);
  const body = Buffer.concat([variable, str(""), str(username), str(password)]);
  if (body.length > 127) throw new Error("remaining length needs more than one byte");
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

const CMD_FILTER = topics.cmdFilter(TENANT, GW);

describe("MQTT 3.1.1 conformance", () => {
  it("accepts a zero-length client id with CleanSession=1 and assigns each a unique id [MQTT-3.1.3-6, MQTT-3.1.3-7]", async () => {
    const a = await rawSession({ clientId: "", clean: true });
    const b = await rawSession({ clientId: "", clean: true });
    expect(a.connack).toMatchObject({ cmd: "connack", returnCode: 0, sessionPresent: false });
    expect(b.connack).toMatchObject({ cmd: "connack", returnCode: 0, sessionPresent: false });
    // Were the ids the same, b's CONNECT would have taken a's session over and closed a
    // [MQTT-3.1.4-2]; both still answer a PINGREQ.
    for (const { raw } of [a, b]) {
      raw.send({ cmd: "pingreq" });
      expect(await raw.next()).toMatchObject({ cmd: "pingresp" });
      raw.end();
    }
  });

  it("refuses a zero-length client id with CleanSession=0 with CONNACK 0x02 and closes [MQTT-3.1.3-8]", async () => {
    const raw = await RawClient.open(gw.addr.mqttPort);
    open.push(raw);
    raw.send(connectEmptyIdUnclean(GW, SECRETS[GW]!));
    expect(await raw.next()).toMatchObject({ cmd: "connack", returnCode: 2 });
    await raw.closed;
    expect(await gw.metric("citytwin_mqtt_auth_failures_total", { reason: "empty-client-id" })).toBe(1);
  });

  it("stores QoS 1 messages for a disconnected CleanSession=0 session and delivers them on reconnect [MQTT-3.1.2-4, MQTT-3.1.2-5]", async () => {
    const base = await clients();
    const clientId = uniqueId("edge-persistent");
    const first = await gatewaySession({ clientId, clean: false });
    expect(first.connack.sessionPresent).toBe(false);
    await first.client.subscribeAsync(CMD_FILTER, { qos: 1 });
    await first.client.endAsync();
    await untilClients(base);

    const cmd = topics.cmd(TENANT, GW, "reboot");
    platformPublish(cmd, '{"id":"c-1"}', 1);
    await sleep(100); // let the broker queue it for the offline session

    const again = await gatewaySession({ clientId, clean: false });
    expect(again.connack.sessionPresent).toBe(true); // [MQTT-3.2.2-2]
    const msg = await eventually(() => again.messages.find((m) => m.topic === cmd));
    expect(msg).toMatchObject({ payload: '{"id":"c-1"}', qos: 1 });
    await again.client.endAsync();
    await untilClients(base);
  });

  it("re-sends an unacknowledged QoS 1 message with DUP=1 and the same packet id on reconnect [MQTT-4.4.0-1, MQTT-3.3.1-1]", async () => {
    const base = await clients();
    const clientId = uniqueId("edge-dup");
    const { raw } = await rawSession({ clientId, clean: false });
    raw.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: CMD_FILTER, qos: 1 }] });
    expect(await raw.next()).toMatchObject({ cmd: "suback", granted: [1] });

    const cmd = topics.cmd(TENANT, GW, "dup-test");
    platformPublish(cmd, "once", 1);
    const first = await raw.next();
    expect(first).toMatchObject({ cmd: "publish", topic: cmd, qos: 1, dup: false });
    const messageId = (first as { messageId: number }).messageId;
    raw.end(); // no PUBACK
    await untilClients(base);

    const second = await rawSession({ clientId, clean: false });
    expect(second.connack).toMatchObject({ returnCode: 0, sessionPresent: true });
    const resent = await second.raw.next();
    expect(resent).toMatchObject({ cmd: "publish", topic: cmd, qos: 1, dup: true, messageId });
    expect(String((resent as { payload: Buffer }).payload)).toBe("once");
    second.raw.send({ cmd: "puback", messageId });
    second.raw.send({ cmd: "disconnect" });
    await second.raw.closed;
    await untilClients(base);

    // Acknowledged now: a third session gets nothing before the PINGRESP.
    const third = await rawSession({ clientId, clean: true });
    third.raw.send({ cmd: "pingreq" });
    expect(await third.raw.next()).toMatchObject({ cmd: "pingresp" });
    third.raw.end();
    await untilClients(base);
  });

  it("sends a retained message to a later subscriber with RETAIN=1 and clears it with an empty retained payload [MQTT-3.3.1-6, MQTT-3.3.1-8, MQTT-3.3.1-9, MQTT-3.3.1-10, MQTT-3.3.1-11]", async () => {
    const config = topics.config(TENANT, GW);
    platformPublish(config, '{"version":7}', 1, true);
    await sleep(100);

    const early = await gatewaySession();
    await early.client.subscribeAsync(config, { qos: 1 });
    const retained = await eventually(() => early.messages.find((m) => m.topic === config));
    expect(retained).toMatchObject({ payload: '{"version":7}', retain: true, qos: 1 });

    // To an established subscription RETAIN is 0, however the message was published [MQTT-3.3.1-9];
    // an empty retained payload is forwarded as normal [MQTT-3.3.1-10].
    platformPublish(config, "", 1, true);
    const cleared = await eventually(() =>
      early.messages.find((m) => m.topic === config && m.payload === ""),
    );
    expect(cleared.retain).toBe(false);

    // A later subscriber gets no retained message [MQTT-3.3.1-10, MQTT-3.3.1-11]: the first
    // thing on the topic is the live marker.
    const late = await gatewaySession();
    await late.client.subscribeAsync(config, { qos: 1 });
    platformPublish(config, "marker", 1, false);
    await eventually(() => late.messages.find((m) => m.payload === "marker"));
    await sleep(200);
    expect(late.messages.map((m) => m.payload)).toEqual(["marker"]);
    await early.client.endAsync();
    await late.client.endAsync();
  });

  it("does not match $-topics with # or + subscriptions [MQTT-4.7.2-1]", async () => {
    const wild = await operatorSession("admin");
    const sys = await operatorSession("admin");
    expect(await suback(wild.client, ["#", "+/conformance", "+/+/conformance"])).toEqual([1, 1, 1]);
    expect(await suback(sys.client, ["$SYS/#"])).toEqual([1]);

    platformPublish("$SYS/conformance", "dollar", 1);
    platformPublish("$SYS/x/conformance", "dollar", 1);
    const marker = topics.cmd(TENANT, GW2, "marker");
    platformPublish(marker, "marker", 1);
    await eventually(() => sys.messages.filter((m) => m.payload === "dollar").length === 2 || undefined);
    await eventually(() => wild.messages.find((m) => m.topic === marker));
    await sleep(200);
    expect(wild.messages.filter((m) => m.topic.startsWith("$"))).toEqual([]);
    await wild.client.endAsync();
    await sys.client.endAsync();
  });

  for (const [name, first, second] of [
    ["QoS 0 filter first", [`ct/v1/${TENANT}/#`, 0], [`ct/v1/${TENANT}/+/cmd/+`, 1]],
    ["QoS 1 filter first", [`ct/v1/${TENANT}/+/cmd/+`, 1], [`ct/v1/${TENANT}/#`, 0]],
  ] as const) {
    it(`delivers to overlapping subscriptions once, at the maximum granted QoS (${name}) [MQTT-3.3.5-1]`, async () => {
      const admin = await operatorSession("admin");
      expect(await suback(admin.client, [first[0]], first[1])).toEqual([first[1]]);
      expect(await suback(admin.client, [second[0]], second[1])).toEqual([second[1]]);
      const cmd = topics.cmd(TENANT, GW2, "overlap");
      platformPublish(cmd, "both", 1);
      // The marker only matches the # filter: once it is in, every copy of the first is too.
      const marker = topics.config(TENANT, GW2);
      platformPublish(marker, "marker", 1);
      await eventually(() => admin.messages.find((m) => m.topic === marker));
      await sleep(200);
      const copies = admin.messages.filter((m) => m.topic === cmd);
      // Allowed: one copy at the maximum QoS of the matching subscriptions, or one copy per
      // subscription at that subscription's QoS (non-normative comment under 3.3.5).
      const oneAtMax = copies.length === 1 && copies[0]!.qos === 1;
      const perSubscription =
        copies.length === 2 &&
        copies
          .map((c) => c.qos)
          .sort()
          .join() === "0,1";
      expect(oneAtMax || perSubscription).toBe(true);
      // The broker does the former whatever the order of the subscriptions (overlap.ts).
      expect(copies.map((c) => c.qos)).toEqual([1]);
      await admin.client.endAsync();
    });
  }

  it("delivers a retained message at no more than the granted QoS [MQTT-3.8.4-6]", async () => {
    const config = topics.config(TENANT, GW2);
    platformPublish(config, "retained-qos1", 1, true);
    await sleep(100);
    const admin = await operatorSession("admin");
    expect(await suback(admin.client, [`ct/v1/${TENANT}/+/config`], 0)).toEqual([0]);
    const got = await eventually(() => admin.messages.find((m) => m.payload === "retained-qos1"));
    expect(got).toMatchObject({ retain: true, qos: 0 });
    platformPublish(config, "", 1, true);
    await admin.client.endAsync();
  });

  it("disconnects a client silent for 1.5 x keepalive and publishes its Will [MQTT-3.1.2-24, MQTT-3.1.2-8]", async () => {
    const viewer = await operatorSession("viewer");
    const status = topics.status(TENANT, GW);
    expect(await suback(viewer.client, [`ct/v1/${TENANT}/+/status`])).toEqual([1]);
    const will: GatewayStatus = {
      v: 1,
      state: "offline",
      reason: "connection-lost",
      ts: Date.now(),
      agentVersion: "conformance",
      config: { version: 0, hash: "" },
      epoch: 1,
    };
    const { raw, connack } = await rawSession({
      clientId: uniqueId("edge-silent"),
      keepalive: 1,
      will: { topic: status, payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: false },
    });
    expect(connack).toMatchObject({ returnCode: 0 });
    const t0 = Date.now();
    await raw.closed;
    const silentMs = raw.closedAt! - t0;
    // 1.5 s nominal; the timer starts just before CONNACK, and the bound above is generous.
    expect(silentMs).toBeGreaterThanOrEqual(1000);
    expect(silentMs).toBeLessThan(1500 + 8000);
    const got = await eventually(() => viewer.messages.find((m) => m.topic === status));
    expect(JSON.parse(got.payload)).toEqual(will);
    await viewer.client.endAsync();
  });

  it("keeps a client that sends PINGREQ within the keepalive and answers PINGRESP [MQTT-3.1.2-24, MQTT-3.12.4-1]", async () => {
    const { raw } = await rawSession({ clientId: uniqueId("edge-pinging"), keepalive: 1 });
    for (let i = 0; i < 5; i++) {
      await sleep(500);
      raw.send({ cmd: "pingreq" });
      expect(await raw.next()).toMatchObject({ cmd: "pingresp" });
    }
    expect(raw.closedAt).toBeUndefined();
    raw.end();
  });
});

describe("MQTT roles (issue 6)", () => {
  it("logs operators in as op:{name} with their token; bad credentials get CONNACK 0x04/0x05 [MQTT-3.2.2-5]", async () => {
    const admin = await operatorSession("admin");
    expect(admin.connack.returnCode).toBe(0);
    await admin.client.endAsync();
    // Wrong secret, token of someone else, no op: prefix (looked up as a gateway id), no password.
    const bad: [IClientOptions, number][] = [
      [{ username: OP_USER.admin, password: "duty-admin.wrong-secret-0123456789" }, 4],
      [{ username: OP_USER.viewer, password: TOKENS.admin }, 4],
      [{ username: "duty-admin", password: TOKENS.admin }, 4],
      [{ username: OP_USER.viewer, password: undefined }, 5],
    ];
    for (const [opts, code] of bad)
      await expect(session({ clientId: uniqueId("bad"), ...opts })).rejects.toMatchObject({ code });
  });

  it("viewer: subscribes to telemetry and status only (SUBACK 0x80 otherwise, §3.9.3) [MQTT-3.9.3-1]", async () => {
    const viewer = await operatorSession("viewer");
    const filters = [
      `ct/v1/${TENANT}/+/telemetry`,
      `ct/v1/${TENANT}/+/status`,
      `ct/v1/${TENANT}/${GW}/telemetry`,
      "#",
      "$SYS/#",
      `ct/v1/${TENANT}/#`,
      `ct/v1/${TENANT}/+/config`,
      `ct/v1/${TENANT}/+/cmd/+`,
      `ct/v1/${TENANT}/+/ingest/rejected`,
      `ct/v1/other/+/telemetry`,
    ];
    expect(await suback(viewer.client, filters)).toEqual([1, 1, 1, 128, 128, 128, 128, 128, 128, 128]);

    // Telemetry from a gateway reaches the viewer.
    const edge = await gatewaySession();
    const telemetry = topics.telemetry(TENANT, GW);
    const now = Date.now();
    const body = JSON.stringify(batch(1, { [GAS_DEV]: [{ ts: now, clock: "edge", values: { ch4: 3 } }] }));
    await edge.client.publishAsync(telemetry, body, { qos: 1 });
    const got = await eventually(() => viewer.messages.find((m) => m.topic === telemetry));
    expect(got.payload).toBe(body);
    await edge.client.endAsync();
    await viewer.client.endAsync();
  });

  for (const role of ["viewer", "operator"] as const) {
    it(`${role}: every publish is acknowledged and discarded, counted as TOPIC_IDENTITY [MQTT-3.3.5-2]`, async () => {
      const edge = await gatewaySession();
      await edge.client.subscribeAsync([CMD_FILTER, topics.config(TENANT, GW)], { qos: 1 });
      const op = await operatorSession(role);
      const before = await gw.metric("citytwin_ingest_rejected_total", { reason: "TOPIC_IDENTITY" });
      const attempts = [
        topics.cmd(TENANT, GW, "reboot"),
        topics.config(TENANT, GW),
        topics.telemetry(TENANT, GW),
        "anything/else",
      ];
      // QoS 1 publishAsync resolves on PUBACK: the refusal does not leave the sender hanging.
      for (const t of attempts) await op.client.publishAsync(t, `from ${role}`, { qos: 1, retain: true });
      await eventually(async () =>
        (await gw.metric("citytwin_ingest_rejected_total", { reason: "TOPIC_IDENTITY" })) ===
        before + attempts.length
          ? true
          : undefined,
      );
      expect(op.client.connected).toBe(true);
      // Nothing reached the gateway: the first message it sees is the platform's marker.
      platformPublish(topics.cmd(TENANT, GW, "marker"), "marker", 1);
      await eventually(() => edge.messages.find((m) => m.payload === "marker"));
      expect(edge.messages.map((m) => m.payload)).toEqual(["marker"]);
      // A role that may read telemetry has the same subscription ACL as a viewer.
      expect(
        await suback(op.client, [`ct/v1/${TENANT}/+/telemetry`, "#", `ct/v1/${TENANT}/+/cmd/+`]),
      ).toEqual([1, 128, 128]);
      await op.client.endAsync();
      await edge.client.endAsync();
    });
  }

  it("admin: subscribes to # and $SYS/#, publishes commands and config to any gateway, nothing else [MQTT-3.3.5-2]", async () => {
    const admin = await operatorSession("admin");
    expect(
      await suback(admin.client, [
        "#",
        "$SYS/#",
        `ct/v1/${TENANT}/+/cmd/+`,
        "$citytwin/#",
        "$citytwin/dropped",
      ]),
    ).toEqual([1, 1, 1, 128, 128]);

    const edge = await gatewaySession({ username: GW2, password: SECRETS[GW2] });
    await edge.client.subscribeAsync([topics.cmdFilter(TENANT, GW2), topics.config(TENANT, GW2)], { qos: 1 });
    await admin.client.publishAsync(topics.cmd(TENANT, GW2, "reboot"), "cmd-from-admin", { qos: 1 });
    await admin.client.publishAsync(topics.config(TENANT, GW2), "config-from-admin", {
      qos: 1,
      retain: false,
    });
    await eventually(() => (edge.messages.length >= 2 ? true : undefined));
    expect(edge.messages.map((m) => [m.topic, m.payload])).toEqual([
      [topics.cmd(TENANT, GW2, "reboot"), "cmd-from-admin"],
      [topics.config(TENANT, GW2), "config-from-admin"],
    ]);

    // Telemetry, status and command results belong to gateways; other tenants and topics too.
    const before = await gw.metric("citytwin_ingest_rejected_total", { reason: "TOPIC_UNKNOWN" });
    const refused = [
      topics.telemetry(TENANT, GW2),
      topics.status(TENANT, GW2),
      topics.cmdResult(TENANT, GW2, "reboot"),
      topics.cmd("other", GW2, "reboot"),
      "$SYS/fake",
    ];
    for (const t of refused) await admin.client.publishAsync(t, "forged", { qos: 1 });
    await eventually(async () =>
      (await gw.metric("citytwin_ingest_rejected_total", { reason: "TOPIC_UNKNOWN" })) ===
      before + refused.length
        ? true
        : undefined,
    );
    expect(admin.messages.filter((m) => m.payload === "forged")).toEqual([]);
    await admin.client.endAsync();
    await edge.client.endAsync();
  });

  it("gateway: keeps its own ACL (own cmd, config, rejections only; SUBACK 0x80 otherwise, §3.9.3) [MQTT-3.9.3-1]", async () => {
    const edge = await gatewaySession();
    const granted = await suback(edge.client, [
      CMD_FILTER,
      topics.config(TENANT, GW),
      topics.rejected(TENANT, GW),
      topics.cmdFilter(TENANT, GW2),
      topics.telemetry(TENANT, GW),
      `ct/v1/${TENANT}/+/telemetry`,
      "#",
      "$SYS/#",
    ]);
    expect(granted).toEqual([1, 1, 1, 128, 128, 128, 128, 128]);
    await edge.client.endAsync();
  });
});
