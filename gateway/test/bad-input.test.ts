/**
 * Bad input against a real gateway (secure mode): every refusal is counted, noticed on the
 * sender's `ingest/rejected` topic and dead-lettered; QoS 1 publishers get their PUBACK; the
 * gateway keeps accepting valid batches afterwards. Also: auth refusals, subscribe ACL, live
 * push and MQTT over WebSocket.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt, { type MqttClient } from "mqtt";
import { WebSocket } from "ws";
import {
  ingestRejectionSchema,
  liveMessageSchema,
  type IngestRejection,
  type LatestReading,
  type LiveMessage,
} from "@citytwin/model";
import { GAS_DEV, GW, GW2, OTHER_DEV, POLE_DEV, batch } from "./fixtures";
import { SECRETS, TOKENS, authGet, eventually, startTestGateway, type TestGateway } from "./harness";

const MAX = 4096;
const TELEMETRY = `ct/v1/hefei/${GW}/telemetry`;
let gw: TestGateway;
let client: MqttClient;
const notices: IngestRejection[] = [];

function connect(opts: mqtt.IClientOptions = {}, url?: string): Promise<MqttClient> {
  return mqtt.connectAsync(url ?? `mqtt://127.0.0.1:${gw.addr.mqttPort}`, {
    clientId: `edge-${Math.random().toString(36).slice(2)}`,
    username: GW,
    password: SECRETS[GW],
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...opts,
  });
}

beforeAll(async () => {
  gw = await startTestGateway({ limits: { maxPayloadBytes: MAX } });
  client = await connect();
  client.on("message", (_topic, payload) =>
    notices.push(ingestRejectionSchema.parse(JSON.parse(payload.toString()))),
  );
  await client.subscribeAsync(`ct/v1/hefei/${GW}/ingest/rejected`, { qos: 0 });
});

afterAll(async () => {
  await client?.endAsync();
  await gw?.stop();
});

async function rejected(reason: string): Promise<number> {
  return gw.metric("citytwin_ingest_rejected_total", { reason });
}

describe("bad input", () => {
  it("rejects each kind of bad message with its reason and still accepts valid data", async () => {
    const now = Date.now();
    const cases: [string, string, string | Buffer][] = [
      ["MALFORMED_JSON", TELEMETRY, '{"v":1,"epoch":'],
      ["SCHEMA", TELEMETRY, JSON.stringify({ v: 1, epoch: 1, seq: 0, sentAt: now, devices: {} })],
      [
        "NON_FINITE",
        TELEMETRY,
        JSON.stringify(batch(1, { [GAS_DEV]: [{ ts: now, clock: "edge", values: { ch4: 0 } }] })).replace(
          '"ch4":0',
          '"ch4":1e999',
        ),
      ],
      [
        "UNKNOWN_DEVICE",
        TELEMETRY,
        JSON.stringify(batch(2, { [OTHER_DEV]: [{ ts: now, clock: "edge", values: { ch4: 1 } }] })),
      ],
      ["PAYLOAD_TOO_LARGE", TELEMETRY, Buffer.alloc(MAX + 1, 0x20)],
      [
        "TOPIC_IDENTITY",
        `ct/v1/hefei/${GW2}/telemetry`,
        JSON.stringify(batch(3, { [OTHER_DEV]: [{ ts: now, clock: "edge", values: { ch4: 1 } }] })),
      ],
      ["TOPIC_UNKNOWN", `ct/v1/hefei/${GW}/config`, "{}"],
      ["TOPIC_UNKNOWN", "factory/raw", "x"],
    ];
    for (const [reason, topic, payload] of cases) {
      const before = await rejected(reason);
      // QoS 1: publishAsync resolves on PUBACK, so a refused publish must not leave us hanging.
      await client.publishAsync(topic, payload, { qos: 1 });
      await eventually(async () => ((await rejected(reason)) === before + 1 ? true : undefined));
      const notice = await eventually(() => notices.find((n) => n.reason === reason && n.topic === topic));
      expect(notice.v).toBe(1);
    }
    expect(client.connected).toBe(true);
    // Nothing from the refused messages reached the hot store.
    const latest0 = (await (await authGet(`${gw.addr.url}api/latest`)).json()) as {
      readings: LatestReading[];
    };
    expect(latest0.readings).toEqual([]);

    // Dead letters carry reason, topic and a payload preview.
    const dl = (await (await authGet(`${gw.addr.url}api/rejections?limit=20`)).json()) as {
      total: number;
      rejections: { reason: string; topic: string; payload?: string; gatewayId?: string }[];
    };
    expect(dl.total).toBe(cases.length);
    expect(dl.rejections.find((r) => r.reason === "MALFORMED_JSON")?.payload).toBe('{"v":1,"epoch":');
    expect(dl.rejections.find((r) => r.reason === "TOPIC_IDENTITY")).toMatchObject({
      gatewayId: GW,
      topic: `ct/v1/hefei/${GW2}/telemetry`,
    });

    // A valid batch afterwards is accepted.
    await client.publishAsync(
      TELEMETRY,
      JSON.stringify(batch(4, { [GAS_DEV]: [{ ts: now, clock: "edge", values: { ch4: 21 } }] })),
      { qos: 1 },
    );
    const latest = await eventually(async () => {
      const body = (await (await authGet(`${gw.addr.url}api/latest`)).json()) as {
        readings: LatestReading[];
      };
      return body.readings.length > 0 ? body.readings : undefined;
    });
    expect(latest).toEqual([
      { sensorId: `${GAS_DEV}.ch4`, ts: now, value: 21, quality: "good", level: "yellow" },
    ]);

    // Replaying seq 4 is a duplicate; jumping to 7 records a gap 5..6.
    await client.publishAsync(
      TELEMETRY,
      JSON.stringify(batch(4, { [GAS_DEV]: [{ ts: now, clock: "edge", values: { ch4: 99 } }] })),
      { qos: 1 },
    );
    await eventually(async () => ((await rejected("DUPLICATE")) === 1 ? true : undefined));
    await client.publishAsync(
      TELEMETRY,
      JSON.stringify(batch(7, { [POLE_DEV]: [{ ts: now, clock: "edge", values: { pm25: 5 } }] })),
      { qos: 1 },
    );
    // seq 3 went to another gateway's topic and never reached ingest, so 3 is missing too.
    await eventually(async () =>
      (await gw.metric("citytwin_ingest_seq_gaps_total")) === 2 ? true : undefined,
    );
    const gws = (await (await authGet(`${gw.addr.url}api/gateways`)).json()) as {
      gateways: { id: string; gaps: unknown[]; last?: unknown; connected: boolean }[];
    };
    expect(gws.gateways.find((g) => g.id === GW)).toMatchObject({
      connected: true,
      last: { epoch: 1_700_000_000_000, seq: 7 },
      gaps: [
        { epoch: 1_700_000_000_000, from: 3, to: 3 },
        { epoch: 1_700_000_000_000, from: 5, to: 6 },
      ],
    });
    expect(await gw.metric("citytwin_ingest_readings_total")).toBe(2);

    const metrics = await (await authGet(`${gw.addr.url}metrics`, TOKENS.admin)).text();
    expect(metrics).toContain('citytwin_ingest_rejected_total{reason="PAYLOAD_TOO_LARGE"} 1');
    expect(metrics).toContain('citytwin_ingest_rejected_total{reason="TOPIC_UNKNOWN"} 2');
  });

  it("refuses a wrong password and an unknown gateway; accepts a zero-length client id with CleanSession=1", async () => {
    await expect(connect({ password: "wrong" })).rejects.toMatchObject({ code: 4 });
    await expect(connect({ username: "gw-99", password: "x" })).rejects.toMatchObject({ code: 4 });
    await expect(connect({ username: undefined, password: undefined })).rejects.toMatchObject({ code: 5 });
    // [MQTT-3.1.3-6]; CleanSession=0 gets CONNACK 0x02 (mqtt-conformance.test.ts; MQTT.js cannot send it).
    const anonymous = await connect({ clientId: "", clean: true });
    expect(anonymous.connected).toBe(true);
    await anonymous.endAsync();
    expect(await gw.metric("citytwin_mqtt_auth_failures_total", { reason: "bad-password" })).toBe(1);
  });

  it("grants only the gateway's own command, config and rejection topics", async () => {
    const granted = await client.subscribeAsync([`ct/v1/hefei/${GW}/cmd/+`, `ct/v1/hefei/${GW}/config`], {
      qos: 1,
    });
    expect(granted.map((g) => [g.topic, g.qos])).toEqual([
      [`ct/v1/hefei/${GW}/cmd/+`, 1],
      [`ct/v1/hefei/${GW}/config`, 1],
    ]);
    // MQTT.js rejects a SUBACK carrying 0x80; the packet shows what the broker granted.
    const refused = (await client
      .subscribeAsync([`ct/v1/hefei/${GW2}/cmd/+`, "#", `ct/v1/hefei/${GW}/telemetry`], { qos: 1 })
      .catch((err: unknown) => err)) as { packet?: { granted?: number[] } };
    expect(refused.packet?.granted).toEqual([128, 128, 128]);
  });

  it("pushes readings to /live clients and accepts MQTT over WebSocket", async () => {
    const ws = new WebSocket(`${gw.addr.url.replace("http", "ws")}live?token=${TOKENS.viewer}`);
    const frames: LiveMessage[] = [];
    ws.on("message", (data) => frames.push(liveMessageSchema.parse(JSON.parse(String(data)))));
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    const hello = await eventually(() => frames.find((f) => f.type === "hello"));
    expect(hello).toMatchObject({ type: "hello", v: 1, sensors: 4 });

    const wsClient = await connect({}, `${gw.addr.url.replace("http", "ws")}mqtt`);
    const ts = Date.now();
    await wsClient.publishAsync(
      TELEMETRY,
      JSON.stringify(batch(8, { [POLE_DEV]: [{ ts, clock: "device", values: { pm25: 160 } }] })),
      { qos: 1 },
    );
    const frame = await eventually(() =>
      frames.find(
        (f) => f.type === "readings" && f.r.some((r) => r[0] === `${POLE_DEV}.pm25` && r[1] === ts),
      ),
    );
    expect(frame.type === "readings" && frame.r.find((r) => r[1] === ts)).toEqual([
      `${POLE_DEV}.pm25`,
      ts,
      160,
      "good",
      "orange",
    ]);
    await wsClient.endAsync();
    ws.close();
  });

  it("counts, notices and dead-letters per-reading refusals and hostile ids (each bad-input class)", async () => {
    const now = Date.now();
    const day = 24 * 3600_000;
    const entry = (ts: number, values: Record<string, unknown>) => [{ ts, clock: "edge", values }];
    let seq = 100;
    const json = (devices: Record<string, unknown>) => JSON.stringify(batch(seq++, devices));
    // [reason, payload, readings it stands for]
    const cases: [string, string, number][] = [
      ["UNKNOWN_SENSOR", json({ [GAS_DEV]: entry(now, { co: 1 }) }), 1],
      ["WRONG_TYPE", json({ [GAS_DEV]: entry(now, { ch4: "high" }) }), 1],
      ["NON_FINITE", json({ [GAS_DEV]: entry(now, { ch4: "NaN" }) }), 1],
      ["TIMESTAMP_RANGE", json({ [GAS_DEV]: entry(now + day, { ch4: 1 }) }), 1],
      ["TIMESTAMP_RANGE", json({ [GAS_DEV]: entry(now - 30 * day, { ch4: 1, gas_pressure: 2 }) }), 2],
      // Truncated, wildcards, NUL and control characters in ids: the whole batch is refused.
      ["MALFORMED_JSON", json({ [GAS_DEV]: entry(now, { ch4: 1 }) }).slice(0, 40), 1],
      ["SCHEMA", json({ [`${GAS_DEV}/#`]: entry(now, { ch4: 1 }) }), 1],
      ["SCHEMA", json({ [`${GAS_DEV}+`]: entry(now, { ch4: 1 }) }), 1],
      ["SCHEMA", json({ [`${GAS_DEV}\u0000`]: entry(now, { ch4: 1 }) }), 1],
      ["SCHEMA", json({ [GAS_DEV]: entry(now, { "ch4\n": 1 }) }), 1],
      [
        "SCHEMA",
        json({ __proto__: null, [GAS_DEV]: entry(now, { ch4: 1 }) }).replace(GAS_DEV, "__proto__"),
        1,
      ],
    ];
    for (const [reason, payload, count] of cases) {
      const before = await rejected(reason);
      const dlBefore = gw.gateway.parts.deadLetters.total;
      await client.publishAsync(TELEMETRY, payload, { qos: 1 });
      await eventually(async () => ((await rejected(reason)) === before + count ? true : undefined));
      await eventually(() => (gw.gateway.parts.deadLetters.total > dlBefore ? true : undefined));
      const dl = gw.gateway.parts.deadLetters.recent(1)[0];
      expect(dl).toMatchObject({ reason, topic: TELEMETRY, gatewayId: GW, count });
      await eventually(() => notices.find((n) => n.reason === reason && n.at >= now));
    }
    expect(client.connected).toBe(true);
  });

  it("refuses invalid command requests (POST /api/gateways/{id}/commands/{name}) with a clear 4xx", async () => {
    const post = (path: string, body: string, type = "application/json") =>
      fetch(new URL(path, gw.addr.url), {
        method: "POST",
        headers: { authorization: `Bearer ${TOKENS.admin}`, "content-type": type },
        body,
      });
    const cmd = `api/gateways/${GW}/commands/ping`;
    const bad: [string, string, number][] = [
      ["malformed JSON", '{"args":', 400],
      ["args of the wrong type", '{"args":"on"}', 400],
      ["an unknown field", '{"args":{},"bogus":1}', 400],
      ["Infinity as timeoutMs (1e999)", '{"args":{},"timeoutMs":1e999}', 400],
      ["a timeout over the cap", '{"args":{},"timeoutMs":600000}', 400],
      ["a wildcard device id", `{"target":{"deviceId":"${GAS_DEV}/#"}}`, 400],
      ["a NUL in the device id", `{"target":{"deviceId":"${GAS_DEV}\u0000"}}`, 400],
      ["a JSON array body", "[]", 400],
      ["a huge args list", `{"args":{"v":[${Array(2000).fill(1).join(",")}]}}`, 400],
    ];
    const refused = () => gw.metric("citytwin_command_requests_rejected_total", { code: "BAD_REQUEST" });
    const before = await refused();
    for (const [name, body, status] of bad) {
      const dead = gw.gateway.parts.deadLetters.total;
      const res = await post(cmd, body);
      const err = (await res.json()) as { error?: { code?: string; message?: string } };
      expect([name, res.status]).toEqual([name, status]);
      expect(typeof err.error?.message).toBe("string");
      // Counted and dead-lettered, with the route and the reason.
      expect([name, gw.gateway.parts.deadLetters.total]).toEqual([name, dead + 1]);
      expect(gw.gateway.parts.deadLetters.recent(1)[0]).toMatchObject({
        reason: "COMMAND_INVALID",
        topic: `/${cmd}`,
        count: 1,
      });
    }
    expect(await refused()).toBeGreaterThan(before);
    expect((await post(cmd, "{}", "text/plain")).status).toBe(415);
    expect((await post(`api/gateways/${GW}/commands/reboot`, "{}")).status).toBe(404);
    // Regression: a malformed %-escape in an id segment was a 500 (URIError) on every route.
    for (const path of [
      "api/gateways/%E0%A4%A/commands/ping",
      "api/alarms/%E0%A4%A/ack",
      "api/gateways/%E0%A4%A/revoke",
    ]) {
      const res = await post(path, "{}");
      expect([path, res.status, ((await res.json()) as { error?: { code?: string } }).error?.code]).toEqual([
        path,
        400,
        "BAD_PATH",
      ]);
    }
  });
});
