/**
 * TLS listeners from configured certificates (docs/security.md, "TLS"). A throwaway CA and a
 * server certificate for 127.0.0.1 are made with the `openssl` CLI in a temp dir; the gateway
 * gets them through the shared `tls` section (paths relative to the config file). Clients that
 * trust the CA speak mqtts:// on `mqtt.tlsPort`, https:// to the API and wss:// to `/live` and
 * `/mqtt`; a plain-TCP MQTT client gets nothing from the TLS port, a client that does not trust
 * the CA fails the handshake, and an unreadable certificate is a config error with its line.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { liveMessageSchema, type LiveMessage } from "@citytwin/model";
import { loadGatewayConfig } from "../src/config/load";
import { GAS_DEV, GW, GW2, batch } from "./fixtures";
import { SECRETS, TOKENS, eventually, startTestGateway, type TestGateway } from "./harness";

let pki: string;
let ca: Buffer;
let gw: TestGateway;

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: pki, stdio: "pipe" });
}

/** CA, and a server certificate for 127.0.0.1/localhost signed by it (EC P-256, one day). */
function makePki(): void {
  pki = mkdtempSync(join(tmpdir(), "citytwin-pki-"));
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=CityTwin test CA",
  );
  openssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(pki, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "1",
    "-extfile",
    "san.ext",
  );
  // A client certificate for mutual TLS, CN = the gateway id.
  openssl("req", ...ec, "-keyout", "client.key", "-out", "client.csr", "-subj", `/CN=${GW}`);
  openssl(
    "x509",
    "-req",
    "-in",
    "client.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "client.pem",
    "-days",
    "1",
  );
  ca = readFileSync(join(pki, "ca.pem"));
}

function httpsGet(
  url: string,
  token: string,
  trust: Buffer | undefined = ca,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: trust, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  makePki();
  gw = await startTestGateway({
    // The shared section; the test harness writes its config into its own dir, so absolute here.
    tls: { certFile: join(pki, "server.pem"), keyFile: join(pki, "server.key") },
    mqtt: { host: "127.0.0.1", port: 0, tlsPort: 0 },
  });
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  rmSync(pki, { recursive: true, force: true });
});

describe("TLS listeners", () => {
  it("serves the API over HTTPS to a client that trusts the CA", async () => {
    expect(gw.addr.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(gw.addr.mqttTlsPort).toBeGreaterThan(0);
    const res = await httpsGet(`${gw.addr.url}api/gateways`, TOKENS.viewer);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toHaveProperty("gateways");
    expect((await httpsGet(`${gw.addr.url}api/gateways`, "wall.wrong")).status).toBe(401);
  });

  it("refuses a client that does not trust the CA, and plain HTTP on the HTTPS port", async () => {
    await expect(httpsGet(`${gw.addr.url}healthz`, TOKENS.viewer, Buffer.from(""))).rejects.toThrow(
      /self[- ]signed|unable to (get|verify)/i,
    );
    const plain = await fetch(gw.addr.url.replace("https", "http") + "healthz").then(
      (r) => `HTTP ${r.status}`,
      (err: unknown) => String(err),
    );
    expect(plain).not.toMatch(/HTTP 200/);
  });

  it("takes telemetry over mqtts:// and pushes it on wss:// /live", async () => {
    const frames: LiveMessage[] = [];
    const ws = new WebSocket(`${gw.addr.url.replace("https", "wss")}live?token=${TOKENS.viewer}`, { ca });
    ws.on("message", (d) => frames.push(liveMessageSchema.parse(JSON.parse(String(d)))));
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));

    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${gw.addr.mqttTlsPort}`, {
      username: GW,
      password: SECRETS[GW],
      ca,
      reconnectPeriod: 0,
    });
    const ts = Date.now();
    await client.publishAsync(
      `ct/v1/hefei/${GW}/telemetry`,
      JSON.stringify(batch(1, { [GAS_DEV]: [{ ts, clock: "device", values: { ch4: 2.5 } }] })),
      { qos: 1 },
    );
    await client.endAsync();
    await eventually(() =>
      frames.find((f) => f.type === "readings" && f.r.some((r) => r[0] === `${GAS_DEV}.ch4` && r[1] === ts)),
    );
    ws.close();

    // MQTT over WSS at /mqtt too.
    const overWss = await mqtt.connectAsync(`${gw.addr.url.replace("https", "wss")}mqtt`, {
      username: GW,
      password: SECRETS[GW],
      wsOptions: { ca },
      reconnectPeriod: 0,
    });
    expect(overWss.connected).toBe(true);
    await overWss.endAsync();
  });

  it("gives a plain-TCP MQTT client nothing on the TLS port", async () => {
    // A raw MQTT 3.1.1 CONNECT (client id "p"); a CONNACK would start with 0x20.
    const connectPacket = Buffer.from([0x10, 13, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 30, 0, 1, 0x70]);
    const got = await new Promise<Buffer>((resolve) => {
      // The server closes on the failed handshake; the timer is only a backstop.
      const socket = netConnect(gw.addr.mqttTlsPort!, "127.0.0.1", () => socket.write(connectPacket));
      const chunks: Buffer[] = [];
      socket.on("data", (c: Buffer) => chunks.push(c));
      socket.on("error", () => undefined);
      socket.on("close", () => resolve(Buffer.concat(chunks)));
      setTimeout(() => socket.destroy(), 3000);
    });
    // Nothing MQTT comes back: the TLS server answers a non-TLS record with an alert (0x15) or closes.
    expect(got[0]).not.toBe(0x20);
    if (got.length > 0) expect(got[0]).toBe(0x15);
  });
});

describe("mutual TLS on the MQTT TLS listener (requestCert)", () => {
  let mtls: TestGateway;
  beforeAll(async () => {
    mtls = await startTestGateway({
      mqtt: {
        host: "127.0.0.1",
        port: 0,
        tlsPort: 0,
        tls: {
          certFile: join(pki, "server.pem"),
          keyFile: join(pki, "server.key"),
          caFile: join(pki, "ca.pem"),
          requestCert: true,
        },
      },
    });
  });
  afterAll(() => mtls?.stop());

  const connect = (extra: Record<string, unknown>) =>
    mqtt
      .connectAsync(`mqtts://127.0.0.1:${mtls.addr.mqttTlsPort}`, {
        username: GW,
        password: SECRETS[GW],
        ca,
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...extra,
      })
      .then((c) => c.endAsync().then(() => "connected"))
      .catch((err: unknown) => String(err));

  it("refuses a client without a certificate and admits one signed by the CA", async () => {
    expect(await connect({})).not.toBe("connected");
    const cert = readFileSync(join(pki, "client.pem"));
    const key = readFileSync(join(pki, "client.key"));
    expect(await connect({ cert, key })).toBe("connected");
    // The certificate names gw-01: it cannot log in as another gateway, even with that one's
    // password (the same credentials connect over plain TCP: the refusal is the CN binding).
    const mismatches = () =>
      mtls.metric("citytwin_mqtt_auth_failures_total", { reason: "certificate-mismatch" });
    expect(await mismatches()).toBe(0);
    expect(await connect({ cert, key, username: GW2, password: SECRETS[GW2] })).not.toBe("connected");
    expect(await mismatches()).toBe(1);
    const plain = await mqtt.connectAsync(`mqtt://127.0.0.1:${mtls.addr.mqttPort}`, {
      username: GW2,
      password: SECRETS[GW2],
      reconnectPeriod: 0,
    });
    await plain.endAsync();
    // HTTP stays plain here (only mqtt.tls is set).
    expect(mtls.addr.url).toMatch(/^http:/);
  });
});

describe("TLS config", () => {
  it("resolves certificate paths relative to the config file", () => {
    const text = `version: 1\ntenant: hefei\nmode: demo\ncity: c.json\ntls:\n  certFile: server.pem\n  keyFile: server.key\n`;
    const cfg = loadGatewayConfig(text, join(pki, "gateway.yaml"), {});
    expect(cfg.tls?.certFile).toBe(join(pki, "server.pem"));
    expect(cfg.tls?.keyFile).toBe(join(pki, "server.key"));
  });

  it("names file, path and line for a missing or non-PEM certificate file", () => {
    const text =
      "version: 1\ntenant: hefei\nmode: demo\ncity: c.json\nhttp:\n  tls:\n    certFile: missing.pem\n    keyFile: san.ext\n";
    const file = join(pki, "gateway.yaml");
    let message = "";
    try {
      loadGatewayConfig(text, file, {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(
      `${file}: http.tls.certFile (line 7:15): cannot read ${join(pki, "missing.pem")}: ENOENT`,
    );
    expect(message).toContain(`http.tls.keyFile (line 8:14): ${join(pki, "san.ext")} is not a PEM file`);
  });
});
