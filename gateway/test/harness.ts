/** Starts a real gateway in-process on free ports (port 0) with a temp dir and the tiny city. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { WebSocket } from "ws";
import { pino, type Logger } from "pino";
import { stringify } from "yaml";
import { loadGatewayConfig } from "../src/config/load";
import { hashSecret } from "../src/config/secret";
import { Gateway, type GatewayAddress } from "../src/gateway";
import { GW, GW2, tinyCity } from "./fixtures";

export const SECRETS: Record<string, string> = {
  [GW]: "secret-one-0123456789",
  [GW2]: "secret-two-0123456789",
};

/** Operator tokens `<name>.<secret>` for API tests, one per role. */
export const TOKENS = {
  admin: "duty-admin.admin-secret-0123456789",
  operator: "duty-op.op-secret-0123456789",
  viewer: "wall.viewer-secret-0123456789",
} as const;

/** The `operators` config section for TOKENS (cheap scrypt parameters for tests). */
export async function testOperators(): Promise<{ name: string; role: string; tokenHash: string }[]> {
  const out = [];
  for (const [role, token] of Object.entries(TOKENS)) {
    const [name, secret] = token.split(".") as [string, string];
    out.push({ name, role, tokenHash: await hashSecret(secret, { N: 1024 }) });
  }
  return out;
}

export interface TestGateway {
  gateway: Gateway;
  addr: GatewayAddress;
  dir: string;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The test gateway's config document (secure mode, loopback port 0, the tiny city written to
 * `dir`/city.json, every SECRETS gateway and the test operators), with `extra` on top.
 */
export async function testGatewayDoc(
  dir: string,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  await writeFile(join(dir, "city.json"), JSON.stringify(tinyCity()));
  const gateways = [];
  for (const [id, secret] of Object.entries(SECRETS))
    gateways.push({ id, secretHash: await hashSecret(secret, { N: 1024 }) });
  return {
    version: 1,
    tenant: "hefei",
    mode: "secure",
    mqtt: { host: "127.0.0.1", port: 0 },
    http: { host: "127.0.0.1", port: 0 },
    city: "city.json",
    gateways,
    operators: await testOperators(),
    live: { tickMs: 50 },
    ...extra,
  };
}

export async function startTestGateway(
  extra: Record<string, unknown> = {},
  env: Record<string, string> = {},
  logger: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), "citytwin-gw-"));
  const doc = await testGatewayDoc(dir, extra);
  const file = join(dir, "gateway.yaml");
  const text = stringify(doc);
  await writeFile(file, text);
  const config = loadGatewayConfig(text, file, env);
  const gateway = new Gateway({ config, logger });
  const addr = await gateway.start();
  return {
    gateway,
    addr,
    dir,
    async metric(name, labels = {}) {
      const m = await gateway.metrics.registry.getSingleMetric(name)?.get();
      const v = m?.values.find((x) => Object.entries(labels).every(([k, l]) => String(x.labels[k]) === l));
      return v?.value ?? 0;
    },
    async stop() {
      await gateway.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** GET with a bearer token (the viewer's by default): reads need one in secure mode. */
export function authGet(url: string | URL, token: string = TOKENS.viewer): Promise<Response> {
  return fetch(url, { headers: { authorization: `Bearer ${token}` } });
}

/** Polls `fn` until it returns a non-undefined value or the time runs out. */
export async function eventually<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An MQTT 3.1.1 client logged in as edge gateway `gatewayId` (client id `edge-<id>`, no auto-reconnect). */
export function connectEdge(gw: TestGateway, gatewayId = GW, opts: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${gw.addr.mqttPort}`, {
    clientId: `edge-${gatewayId}`,
    username: gatewayId,
    password: SECRETS[gatewayId],
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...opts,
  });
}

/** The status of a `/live` upgrade: 101 when admitted, else the refusal's HTTP status. */
export function liveUpgradeStatus(gw: TestGateway, token?: string): Promise<number> {
  const url = new URL(
    `live${token === undefined ? "" : `?token=${token}`}`,
    gw.addr.url.replace("http", "ws"),
  );
  const ws = new WebSocket(url);
  return new Promise((resolve) => {
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? -1);
      ws.terminate();
    });
    ws.once("open", () => (ws.close(), resolve(101)));
    ws.once("error", () => undefined);
  });
}
