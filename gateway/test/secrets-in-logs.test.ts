/**
 * No secret reaches the gateway's log (docs/security.md, "Secrets in logs"). A real gateway runs
 * in-process with the production logger (src/logging.ts) at trace level writing into memory,
 * through a run that handles every kind of secret it knows: MQTT logins with the right and a wrong
 * password (gateways) and token (operators `op:{name}`), operator Bearer tokens on HTTP (right,
 * wrong, malformed, `?token=`), `/live?token=` (admitted and refused), the scraper token on
 * /metrics, and InfluxDB v1 username/password and v2 token from the environment, sent to a
 * stand-in InfluxDB that refuses every write with a body quoting the credentials it got. Then no
 * line may contain any secret, whole or in part. The logger's scrubbing is also checked directly.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { hashSecret } from "../src/config/secret";
import { createGatewayLogger, redactUrl, scrubSecrets } from "../src/logging";
import { GAS_DEV, GW, GW2, batch } from "./fixtures";
import { SECRETS, TOKENS, eventually, startTestGateway, type TestGateway } from "./harness";

const INFLUX_TOKEN = "influx-v2-token-Zq8rT2vX9kLm4";
const INFLUX_USER = "influx-user-Pw7s";
const INFLUX_PASSWORD = "influx-v1-password-Hy6nB3cD";
const METRICS_SECRET = "metrics-secret-Ux4eR8tY1";
const WRONG_PASSWORD = "wrong-gateway-password-Kd9fJ2";
const PROVISION_SECRET = "provisioning-key-secret-Mn3bV7";
/** Secrets that only exist once the run has made them (issued keys, provisioned passwords). */
const issued: string[] = [];
const WRONG_TOKEN = `${TOKENS.viewer.split(".")[0]}.wrong-viewer-secret-Qa5wS1`;

/** Every secret of the run, and the secret part of each `<name>.<secret>` token. */
const SECRET_STRINGS = [
  ...Object.values(SECRETS),
  ...Object.values(TOKENS),
  ...Object.values(TOKENS).map((t) => t.split(".")[1]!),
  INFLUX_TOKEN,
  INFLUX_PASSWORD,
  METRICS_SECRET,
  WRONG_PASSWORD,
  WRONG_TOKEN,
  WRONG_TOKEN.split(".")[1]!,
  PROVISION_SECRET,
  Buffer.from(`${INFLUX_USER}:${INFLUX_PASSWORD}`).toString("base64"),
];

const lines: string[] = [];
let gw: TestGateway;
let influx: Server;
let influxHits = 0;

function memoryLogger() {
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  return createGatewayLogger("trace", { svc: "gateway", tenant: "hefei" }, sink);
}

function leaks(): { secret: string; line: string }[] {
  const out: { secret: string; line: string }[] = [];
  for (const line of lines)
    for (const secret of [...SECRET_STRINGS, ...issued])
      if (line.includes(secret)) out.push({ secret, line });
  return out;
}

beforeAll(async () => {
  // A stand-in InfluxDB that refuses every write and quotes the credentials it was sent.
  influx = createServer((req, res) => {
    influxHits++;
    req.resume();
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: `unauthorized: ${req.headers.authorization ?? ""} ${req.url ?? ""}` }));
  });
  await new Promise<void>((r) => influx.listen(0, "127.0.0.1", () => r()));
  const influxUrl = `http://127.0.0.1:${(influx.address() as AddressInfo).port}`;
  gw = await startTestGateway(
    {
      http: { host: "127.0.0.1", port: 0, metricsTokenHash: await hashSecret(METRICS_SECRET, { N: 1024 }) },
      influx: {
        v1: {
          url: influxUrl,
          database: "citytwin",
          usernameEnv: "T_INFLUX_USER",
          passwordEnv: "T_INFLUX_PASSWORD",
        },
        v2: { url: influxUrl, org: "citytwin", bucket: "b", tokenEnv: "T_INFLUX_TOKEN" },
        flushIntervalMs: 50,
        maxRetries: 1,
      },
      provisioning: {
        keys: [
          { id: "site-7", keyHash: await hashSecret(PROVISION_SECRET, { N: 1024 }), gatewayId: "gw-new" },
        ],
      },
    },
    { T_INFLUX_TOKEN: INFLUX_TOKEN, T_INFLUX_USER: INFLUX_USER, T_INFLUX_PASSWORD: INFLUX_PASSWORD },
    memoryLogger(),
  );
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  await new Promise<void>((r) => (influx ? influx.close(() => r()) : r()));
});

const mqttUrl = () => `mqtt://127.0.0.1:${gw.addr.mqttPort}`;
const tryMqtt = (username: string, password: string) =>
  mqtt
    .connectAsync(mqttUrl(), { username, password, reconnectPeriod: 0, connectTimeout: 5000 })
    .then((c) => c.endAsync().then(() => "ok"))
    .catch((err: unknown) => String(err));

function live(token: string): Promise<number> {
  const ws = new WebSocket(`${gw.addr.url.replace("http", "ws")}live?token=${encodeURIComponent(token)}`);
  return new Promise((resolve) => {
    ws.once("unexpected-response", (_req, res) => (ws.terminate(), resolve(res.statusCode ?? -1)));
    ws.once("open", () => (ws.close(), resolve(101)));
    ws.once("error", () => undefined);
  });
}

describe("secrets in the gateway's log", () => {
  it("logs none of the run's secrets", async () => {
    // MQTT: gateways with the right and a wrong password, operators with the right and a wrong token.
    const client = await mqtt.connectAsync(mqttUrl(), { username: GW, password: SECRETS[GW] });
    await client.publishAsync(
      `ct/v1/hefei/${GW}/telemetry`,
      JSON.stringify(batch(1, { [GAS_DEV]: [{ ts: Date.now(), clock: "device", values: { ch4: 1.5 } }] })),
      { qos: 1 },
    );
    await client.endAsync();
    expect(await tryMqtt(GW2, WRONG_PASSWORD)).toMatch(/Bad username or password|Not authorized/i);
    expect(await tryMqtt(`op:${TOKENS.admin.split(".")[0]!}`, TOKENS.admin)).toBe("ok");
    expect(await tryMqtt(`op:${WRONG_TOKEN.split(".")[0]!}`, WRONG_TOKEN)).not.toBe("ok");

    // HTTP: Bearer tokens right, wrong, malformed, in the query; the scraper token.
    const url = (p: string) => new URL(p, gw.addr.url);
    const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
    expect((await fetch(url("api/latest"), bearer(TOKENS.viewer))).status).toBe(200);
    expect((await fetch(url("api/latest"), bearer(WRONG_TOKEN))).status).toBe(401);
    expect((await fetch(url("api/alarms"), bearer(`x${WRONG_TOKEN}.y`))).status).toBe(401);
    expect((await fetch(url(`api/latest?token=${WRONG_TOKEN}`))).status).toBe(401);
    expect((await fetch(url(`api/nope?token=${TOKENS.admin}`))).status).toBe(401); // /live only
    expect((await fetch(url("metrics"), bearer(`metrics.${METRICS_SECRET}`))).status).toBe(200);
    const ack = await fetch(url("api/alarms/none/ack"), {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.operator}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(ack.status).toBe(404);

    // Provisioning: a key from the config exchanged (and reused), a key issued by an admin.
    const post = (path: string, body: unknown, token?: string) =>
      fetch(url(path), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      });
    const provisioned = await post("api/provision", {
      key: `site-7.${PROVISION_SECRET}`,
      gatewayId: "gw-new",
    });
    expect(provisioned.status).toBe(200);
    issued.push(((await provisioned.json()) as { password: string }).password);
    expect(
      (await post("api/provision", { key: `site-7.${PROVISION_SECRET}`, gatewayId: "gw-new" })).status,
    ).toBe(401);
    const key = await post("api/provisioning-keys", { gatewayId: "gw-next" }, TOKENS.admin);
    expect(key.status).toBe(201);
    const keyText = ((await key.json()) as { key: string }).key;
    issued.push(keyText, keyText.split(".")[1]!);
    expect((await post("api/provision", { key: `${keyText}x`, gatewayId: "gw-next" })).status).toBe(401);
    expect(await tryMqtt("gw-new", issued[0]!)).toBe("ok");

    // /live with the token in the query: admitted and refused.
    expect(await live(TOKENS.viewer)).toBe(101);
    expect(await live(WRONG_TOKEN)).toBe(401);

    // InfluxDB writes were refused (and logged) with both sinks' credentials on the wire.
    await eventually(() =>
      influxHits >= 2 && lines.some((l) => /influx/i.test(l) && /"level":(40|50)/.test(l)) ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 300));

    if (process.env.DUMP_LOG) console.log(lines.join("\n"));
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.some((l) => l.includes("mqtt connection refused"))).toBe(true);
    expect(leaks()).toEqual([]);
  });

  it("censors secret fields and credentials inside URLs and messages", () => {
    lines.length = 0;
    const log = memoryLogger();
    log.info({ password: WRONG_PASSWORD, token: TOKENS.admin, nested: { secret: METRICS_SECRET } }, "fields");
    log.info({ req: { headers: { authorization: `Bearer ${TOKENS.viewer}` } } }, "headers");
    log.warn({ url: `/live?token=${TOKENS.viewer}&x=1` }, "url field");
    log.error(
      { err: new Error(`GET http://u:${INFLUX_PASSWORD}@h/write?db=x&p=${INFLUX_PASSWORD}`) },
      "boom",
    );
    log.info(`sent Authorization: Token ${INFLUX_TOKEN}`);
    expect(lines).toHaveLength(5);
    expect(leaks()).toEqual([]);
    expect(lines[2]).toContain("/live?token=[redacted]&x=1");
    expect(redactUrl(`/api/latest?a=1&token=${TOKENS.viewer}`)).toBe("/api/latest?a=1&token=[redacted]");
    expect(scrubSecrets("mqtts://gw-01:s3cret-pass@host:8883")).toBe("mqtts://gw-01:[redacted]@host:8883");
  });
});
