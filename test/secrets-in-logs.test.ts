/**
 * No secret reaches any log line of the real platform (docs/security.md, "Secrets in logs"):
 * the launcher of `npm start` runs simulators, edge agents and the gateway (gateway/src/main.ts,
 * its production logger) at debug level; every line of every process is captured. The run uses
 * each kind of secret: the edge agents' MQTT passwords (from CT_MQTT_PASSWORD), a wrong MQTT
 * password and an operator MQTT login, operator Bearer tokens on HTTP (right and wrong),
 * `?token=` on `/live` (admitted and refused), and an InfluxDB v2 token sent to a stand-in that
 * refuses every write quoting the credentials. No line may contain any of them.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchPlatform, type Platform } from "../simulators/src/demo/launch";
import { freePortBlock, freePorts } from "./support/free-port";
import { sleep } from "./support/wait";

const INFLUX_TOKEN = "platform-influx-token-Vb3nM8qW2";
const WRONG_PASSWORD = "wrong-edge-password-Lp0oK9";
const lines: string[] = [];
let platform: Platform;
let influx: Server;
let influxHits = 0;

beforeAll(async () => {
  influx = createServer((req, res) => {
    influxHits++;
    req.resume();
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: `unauthorized ${req.headers.authorization ?? ""}` }));
  });
  await new Promise<void>((r) => influx.listen(0, "127.0.0.1", () => r()));
  const [mqttPort, httpPort, opcuaPort, fieldBrokerPort] = await freePorts(4);
  platform = await launchPlatform({
    runtimeDir: mkdtempSync(join(tmpdir(), "citytwin-secrets-")),
    seed: 42,
    scale: 1,
    host: "127.0.0.1",
    mqttPort: mqttPort!,
    httpPort: httpPort!,
    modbusPort: await freePortBlock(4),
    opcuaPort: opcuaPort!,
    fieldBrokerPort: fieldBrokerPort!,
    influx: {
      v2: {
        url: `http://127.0.0.1:${(influx.address() as AddressInfo).port}`,
        org: "citytwin",
        bucket: "b",
        token: INFLUX_TOKEN,
      },
    },
    logLevel: "debug",
    onLine: (_name, line) => lines.push(line),
  });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await new Promise<void>((r) => (influx ? influx.close(() => r()) : r()));
});

/** The MQTT passwords the launcher gave the edge agents (only in their environment). */
function edgePasswords(): string[] {
  return platform.processes
    .filter((p) => p.name.startsWith("edge:") && p.proc.pid !== undefined)
    .map((p) => readFileSync(`/proc/${p.proc.pid}/environ`, "utf8").split("\0"))
    .map((env) => env.find((e) => e.startsWith("CT_MQTT_PASSWORD="))?.slice("CT_MQTT_PASSWORD=".length) ?? "")
    .filter((s) => s.length > 0);
}

function live(token: string): Promise<number> {
  const ws = new WebSocket(`${platform.url.replace(/^http/, "ws")}live?token=${encodeURIComponent(token)}`);
  return new Promise((resolve) => {
    ws.once("unexpected-response", (_req, res) => (ws.terminate(), resolve(res.statusCode ?? -1)));
    ws.once("open", () => (ws.close(), resolve(101)));
    ws.once("error", () => undefined);
  });
}

describe("secrets in the platform's logs", () => {
  it("appear in no line of the gateway, the edge agents or the simulators", async () => {
    const tokens = platform.operatorTokens;
    const wrongToken = `${tokens.viewer.split(".")[0]!}.not-the-viewer-secret-Xc7v`;
    const passwords = edgePasswords();
    expect(passwords).toHaveLength(platform.edgeConfigs.length);

    const api = (path: string, token: string) =>
      fetch(new URL(path, platform.url), { headers: { authorization: `Bearer ${token}` } });
    expect((await api("api/latest", tokens.viewer)).status).toBe(200);
    expect((await api("api/latest", wrongToken)).status).toBe(401);
    expect((await api("metrics", tokens.admin)).status).toBe(200);
    expect((await fetch(new URL(`api/gateways?token=${wrongToken}`, platform.url))).status).toBe(401);
    expect(await live(tokens.viewer)).toBe(101);
    expect(await live(wrongToken)).toBe(401);

    const gatewayId = /edge-(.+)\.yaml$/.exec(platform.edgeConfigs[0]!)?.[1] ?? "";
    const refused = await mqtt
      .connectAsync(platform.mqttUrl, { username: gatewayId, password: WRONG_PASSWORD, reconnectPeriod: 0 })
      .then((c) => c.endAsync().then(() => "connected"))
      .catch((err: unknown) => String(err));
    expect(refused).not.toBe("connected");
    const operator = await mqtt.connectAsync(platform.mqttUrl, {
      username: `op:${tokens.admin.split(".")[0]!}`,
      password: tokens.admin,
      reconnectPeriod: 0,
    });
    await operator.endAsync();

    // Let the edge agents publish and the InfluxDB sink fail a few times.
    const until = Date.now() + 30_000;
    while (influxHits < 3 && Date.now() < until) await sleep(200);
    expect(influxHits).toBeGreaterThanOrEqual(3);
    await sleep(1000);

    const secrets = [
      ...passwords,
      ...Object.values(tokens),
      ...Object.values(tokens).map((t) => t.split(".")[1]!),
      wrongToken,
      wrongToken.split(".")[1]!,
      WRONG_PASSWORD,
      INFLUX_TOKEN,
    ];
    const leaks = lines.flatMap((line) => secrets.filter((s) => line.includes(s)).map((s) => ({ s, line })));
    expect(lines.filter((l) => l.includes('"svc":"gateway"')).length).toBeGreaterThan(5);
    expect(lines.some((l) => l.includes("mqtt connection refused"))).toBe(true);
    expect(leaks).toEqual([]);
  });
});
