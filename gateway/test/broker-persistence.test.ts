/**
 * MQTT sessions survive a gateway restart (issue 6, "Broker sessions persist";
 * docs/reliability.md, "Broker sessions"): with `mqtt.persistence: level` an edge's
 * CleanSession=0 subscriptions (`cmd/+`, `config`) and the QoS 1 commands queued for it while it
 * was away are kept in `<stateDir>/mqtt-sessions` across a graceful restart (in-process) and a
 * `kill -9` (child process, gateway/src/main.ts). Also: a refused filter in a SUBSCRIBE packet is
 * not stored with the session, and memory persistence forgets sessions on restart.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type IClientPublishOptions, type MqttClient } from "mqtt";
import { pino } from "pino";
import { stringify } from "yaml";
import { Level } from "level";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTsx, stopAll, type Child } from "../../test/support/child";
import { freePorts } from "../../test/support/free-port";
import { loadGatewayConfig } from "../src/config/load";
import { Gateway } from "../src/gateway";
import { GAS_DEV, GW, GW2, batch } from "./fixtures";
import { SECRETS, TOKENS, eventually, testGatewayDoc } from "./harness";

const CMD = (name: string) => `ct/v1/hefei/${GW}/cmd/${name}`;
const CONFIG = `ct/v1/hefei/${GW}/config`;
const OTHER_TELEMETRY = `ct/v1/hefei/${GW2}/telemetry`;

interface Received {
  topic: string;
  payload: string;
  qos: number;
  dup: boolean;
  retain: boolean;
}

let dir: string;
let doc: Record<string, unknown>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "citytwin-sessions-"));
  doc = await testGatewayDoc(dir);
});

afterAll(async () => {
  await stopAll();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** An in-process gateway on `stateDir` (relative to the shared dir), same config every time. */
async function startGateway(stateDir: string, extra: Record<string, unknown> = {}, port = 0) {
  const file = join(dir, `gateway-${stateDir}.yaml`);
  const text = stringify({
    ...doc,
    mqtt: { host: "127.0.0.1", port, ...extra },
    alarms: { stateDir },
  });
  await writeFile(file, text);
  const gateway = new Gateway({
    config: loadGatewayConfig(text, file, {}),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
  });
  const addr = await gateway.start();
  return { gateway, addr };
}

/** The edge: a fixed client id, CleanSession=0, manual PUBACK bookkeeping left to MQTT.js. */
async function edge(port: number, received: Received[], clientId = "edge-gw-01") {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId,
    clean: false,
    username: GW,
    password: SECRETS[GW],
    reconnectPeriod: 0,
    connectTimeout: 5000,
    protocolVersion: 4,
  });
  client.on("message", (topic, payload, packet) =>
    received.push({
      topic,
      payload: payload.toString(),
      qos: packet.qos,
      dup: packet.dup,
      retain: packet.retain,
    }),
  );
  return client;
}

const sessionPresent = (client: MqttClient) =>
  new Promise<boolean>((resolve) => {
    // connectAsync resolved after CONNACK; MQTT.js keeps no flag, so re-read it from the next connect.
    client.once("connect", (connack) => resolve(connack.sessionPresent));
  });

describe("broker sessions with mqtt.persistence: level", () => {
  it("keeps CleanSession=0 subscriptions and queued QoS 1 commands across a graceful restart", async () => {
    let gw = await startGateway("state-a");
    const received: Received[] = [];
    let client = await edge(gw.addr.mqttPort, received);
    const granted = await client.subscribeAsync([CMD("+"), CONFIG], { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1, 1]);
    // Delivered while connected, acknowledged: must not come back after the restart.
    gw.gateway.parts.broker.publish(CMD("ping"), Buffer.from('{"n":0}'), 1);
    await eventually(() => (received.length === 1 ? true : undefined));
    await client.endAsync();

    // Queued for the offline session, then a graceful restart.
    gw.gateway.parts.broker.publish(CMD("ping"), Buffer.from('{"n":1}'), 1);
    gw.gateway.parts.broker.publish(CONFIG, Buffer.from('{"n":2}'), 1);
    await new Promise((r) => setTimeout(r, 200)); // let the in-process publishes reach LevelDB
    const port = gw.addr.mqttPort;
    await gw.gateway.stop();
    gw = await startGateway("state-a", {}, port);

    // A command published after the restart, before the edge is back: the subscription survived.
    gw.gateway.parts.broker.publish(CMD("lamp-set"), Buffer.from('{"n":3}'), 1);
    await new Promise((r) => setTimeout(r, 200));
    const again: Received[] = [];
    client = await edge(gw.addr.mqttPort, again);
    await eventually(() => (again.length >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 200));
    expect(again.map((m) => [m.topic, m.payload, m.qos])).toEqual([
      [CMD("ping"), '{"n":1}', 1],
      [CONFIG, '{"n":2}', 1],
      [CMD("lamp-set"), '{"n":3}', 1],
    ]);
    // Queued while offline: never sent before, so DUP=0 [MQTT-3.3.1-1] (redelivery.ts).
    expect(again.every((m) => !m.dup)).toBe(true);

    // Still subscribed without a new SUBSCRIBE: a live command arrives too.
    gw.gateway.parts.broker.publish(CMD("ping"), Buffer.from('{"n":4}'), 1);
    await eventually(() => (again.some((m) => m.payload === '{"n":4}') ? true : undefined));
    await client.endAsync();
    await gw.gateway.stop();
  });

  it("reports the session as present after a restart", async () => {
    let gw = await startGateway("state-b");
    const client = await edge(gw.addr.mqttPort, []);
    await client.subscribeAsync(CMD("+"), { qos: 1 });
    await client.endAsync();
    const port = gw.addr.mqttPort;
    await gw.gateway.stop();
    gw = await startGateway("state-b", {}, port);
    const again = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      clientId: "edge-gw-01",
      clean: false,
      username: GW,
      password: SECRETS[GW],
      reconnectPeriod: 0,
    });
    expect(await sessionPresent(again)).toBe(true);
    await again.endAsync();
    await gw.gateway.stop();
  });

  it("does not store a refused filter sent next to a granted one", async () => {
    const gw = await startGateway("state-c");
    const received: Received[] = [];
    const client = await edge(gw.addr.mqttPort, received, "edge-greedy");
    const res = (await client
      .subscribeAsync([CMD("+"), OTHER_TELEMETRY, "#"], { qos: 1 })
      .catch((err: unknown) => err)) as { packet?: { granted?: number[] } } | { qos: number }[];
    const granted = Array.isArray(res) ? res.map((g) => g.qos) : res.packet?.granted;
    expect(granted).toEqual([1, 128, 128]);
    await client.endAsync();
    // Another gateway's telemetry while the greedy session is offline…
    const other = await mqtt.connectAsync(`mqtt://127.0.0.1:${gw.addr.mqttPort}`, {
      clientId: "edge-gw-02",
      username: GW2,
      password: SECRETS[GW2],
      reconnectPeriod: 0,
    });
    await other.publishAsync(OTHER_TELEMETRY, '{"v":1}', { qos: 1 } as IClientPublishOptions);
    await other.endAsync();
    gw.gateway.parts.broker.publish(CMD("ping"), Buffer.from("{}"), 1);
    await new Promise((r) => setTimeout(r, 200));
    // …is not queued for it: only its own command comes on reconnect.
    const back = await edge(gw.addr.mqttPort, received, "edge-greedy");
    await eventually(() => (received.length >= 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(received.map((m) => m.topic)).toEqual([CMD("ping")]);
    await back.endAsync();
    await gw.gateway.stop();
  });

  it("keeps telemetry off LevelDB: no write per QoS 1 telemetry publish", async () => {
    const gw = await startGateway("state-e");
    const cmds = await edge(gw.addr.mqttPort, [], "edge-gw-01-cmd");
    await cmds.subscribeAsync([CMD("+"), CONFIG], { qos: 1 });
    // Level → ClassicLevel → AbstractLevel, where put/batch/del live.
    type Write = (...args: unknown[]) => unknown;
    const proto = Object.getPrototypeOf(Level.prototype) as { put: Write; batch: Write; del: Write };
    const writes = [vi.spyOn(proto, "put"), vi.spyOn(proto, "batch"), vi.spyOn(proto, "del")];
    const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${gw.addr.mqttPort}`, {
      clientId: "edge-gw-01-telemetry",
      clean: false,
      username: GW,
      password: SECRETS[GW],
      reconnectPeriod: 0,
    });
    const t0 = Date.now();
    for (let seq = 1; seq <= 200; seq++)
      await publisher.publishAsync(
        `ct/v1/hefei/${GW}/telemetry`,
        JSON.stringify(batch(seq, { [GAS_DEV]: [{ ts: t0, clock: "edge", values: { ch4: seq % 50 } }] })),
        { qos: 1 },
      );
    await gw.gateway.parts.pipeline.idle();
    expect(writes.map((w) => w.mock.calls.length)).toEqual([0, 0, 0]);
    // The spies do see session writes: a command for the CleanSession=0 subscriber is stored.
    gw.gateway.parts.broker.publish(CMD("ping"), Buffer.from("{}"), 1);
    await eventually(() => ((writes[0]?.mock.calls.length ?? 0) > 0 ? true : undefined));
    for (const w of writes) w.mockRestore();
    await publisher.endAsync();
    await cmds.endAsync();
    await gw.gateway.stop();
  });

  it("forgets sessions on restart with mqtt.persistence: memory", async () => {
    let gw = await startGateway("state-d", { persistence: "memory" });
    const client = await edge(gw.addr.mqttPort, []);
    await client.subscribeAsync(CMD("+"), { qos: 1 });
    await client.endAsync();
    gw.gateway.parts.broker.publish(CMD("ping"), Buffer.from("{}"), 1);
    const port = gw.addr.mqttPort;
    await gw.gateway.stop();
    gw = await startGateway("state-d", { persistence: "memory" }, port);
    const received: Received[] = [];
    const again = await edge(port, received);
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toEqual([]);
    await again.endAsync();
    await gw.gateway.stop();
  });
});

describe("broker sessions across kill -9 (child-process gateway)", () => {
  let child: Child | undefined;
  let ports: { mqtt: number; http: number };
  let config: string;

  async function startChild(): Promise<Child> {
    const c = startTsx("gateway", "gateway/src/main.ts", ["--config", config], {
      env: { ...process.env, LOG_LEVEL: "info" },
    });
    await c.waitFor(/"msg":"ready"/, 60_000);
    return c;
  }

  beforeAll(async () => {
    const [mqttPort, httpPort] = (await freePorts(2)) as [number, number];
    ports = { mqtt: mqttPort, http: httpPort };
    config = join(dir, "gateway-kill.yaml");
    await writeFile(
      config,
      stringify({
        ...doc,
        mqtt: { host: "127.0.0.1", port: mqttPort },
        http: { host: "127.0.0.1", port: httpPort },
        alarms: { stateDir: "state-kill" },
      }),
    );
  });

  it("delivers a command queued before the kill after the restart, without a new SUBSCRIBE", async () => {
    child = await startChild();
    const received: Received[] = [];
    const client = await edge(ports.mqtt, received, "edge-kill");
    await client.subscribeAsync([CMD("+"), CONFIG], { qos: 1 });
    await client.endAsync();
    // An admin publishes a command for the offline edge (MQTT, op:{name} login).
    const admin = await mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, {
      clientId: "console-admin",
      username: `op:${TOKENS.admin.split(".")[0]}`,
      password: TOKENS.admin,
      reconnectPeriod: 0,
    });
    await admin.publishAsync(CMD("ping"), '{"id":"before-kill"}', { qos: 1 });
    await admin.endAsync();
    // Aedes PUBACKs a QoS 1 publish before enqueuing it for offline sessions: give it a moment.
    await new Promise((r) => setTimeout(r, 300));
    await child.stop("SIGKILL");

    child = await startChild();
    const back = await edge(ports.mqtt, received, "edge-kill");
    await eventually(() => (received.length >= 1 ? true : undefined), 15_000);
    expect(received.map((m) => [m.topic, m.payload, m.qos])).toEqual([
      [CMD("ping"), '{"id":"before-kill"}', 1],
    ]);
    await back.endAsync();
    await child.stop("SIGTERM");
  });
});
