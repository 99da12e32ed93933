/**
 * Security modes Sign and SignAndEncrypt with Basic256Sha256 against a node-opcua server with a
 * user manager; anonymous, username/password and X.509 user authentication. The client PKI is
 * created in the agent's state dir (temp); the test server trusts unknown client certificates.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/support/free-port";
import { opcuaDeviceSchema, type EdgeSecrets } from "../src/config";
import type { Reading } from "../src/drivers";
import { clientPkiDir } from "../src/drivers/opcua/client-setup";
import { OpcUaDriver } from "../src/drivers/opcua/opcua-driver";
import { startTestServer, type TestServer } from "./fixtures/opcua-server";
import { sleep, untilWithin } from "../../test/support/wait";

const dir = mkdtempSync(join(tmpdir(), "ct-edge-opcua-sec-"));
const stateDir = join(dir, "state");
let server: TestServer;
let port = 0;

beforeAll(async () => {
  port = await freePort();
  server = await startTestServer({
    port,
    pkiDir: join(dir, "server"),
    securityModes: ["Sign", "SignAndEncrypt"],
    users: { operator: "s3cret" },
    values: { temp_1: 21.5 },
  });
}, 60_000);

afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(extra: Record<string, unknown>, secrets: EdgeSecrets, waitFor: "good" | "down") {
  const device = opcuaDeviceSchema.parse({
    id: "340111-BRG-00001-D01",
    driver: "opcua",
    endpoint: `opc.tcp://127.0.0.1:${port}`,
    publishingIntervalMs: 100,
    reconnectMaxDelayMs: 2000,
    points: [{ key: "temp_1", browsePath: "/Objects/1:Plant/1:Line1/1:temp_1" }],
    ...extra,
  });
  const got: Reading[] = [];
  const health: string[] = [];
  const silent = pino({ level: "silent" });
  const ctx = {
    logger: silent,
    clock: { now: () => Date.now() },
    stateDir,
    gatewayId: "gw",
    profiles: {},
    secrets,
  };
  const driver = new OpcUaDriver(device, ctx, silent);
  await driver.start({ readings: (rs) => got.push(...rs), health: (_id, h) => health.push(h) });
  try {
    if (waitFor === "good") await until(() => got.find((r) => r.key === "temp_1" && r.quality === "good"));
    else await until(() => (health.includes("down") ? true : undefined));
    return { got, health, stats: driver.stats() };
  } finally {
    await driver.stop();
  }
}

describe("OpcUaDriver security", () => {
  for (const securityMode of ["Sign", "SignAndEncrypt"]) {
    it(`${securityMode}/Basic256Sha256 with username and password`, async () => {
      const r = await run(
        { securityMode, securityPolicy: "Basic256Sha256", auth: { type: "username", username: "operator" } },
        { devicePasswords: { "340111-BRG-00001-D01": "s3cret" } },
        "good",
      );
      expect(r.got.find((x) => x.quality === "good")?.value).toBe(21.5);
      // The client's application certificate was created in the agent's state dir.
      expect(readdirSync(join(clientPkiDir(stateDir), "own", "certs")).length).toBeGreaterThan(0);
    }, 60_000);
  }

  it("anonymous over SignAndEncrypt", async () => {
    const r = await run(
      { securityMode: "SignAndEncrypt", securityPolicy: "Basic256Sha256" },
      { devicePasswords: {} },
      "good",
    );
    expect(r.stats.opcua_sessions).toBe(1);
  }, 60_000);

  it("X.509 user certificate", async () => {
    const own = join(clientPkiDir(stateDir), "own");
    const certFile = join(own, "certs", "client_certificate.pem");
    const keyFile = join(own, "private", "private_key.pem");
    expect(existsSync(certFile) && existsSync(keyFile)).toBe(true);
    const pem = readFileSync(certFile, "utf8");
    const b64 = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END/.exec(pem)?.[1] ?? "";
    const secrets: EdgeSecrets = {
      devicePasswords: {},
      opcuaUserCertificates: {
        "340111-BRG-00001-D01": {
          certificate: Buffer.from(b64.replace(/\s+/g, ""), "base64"),
          privateKeyPem: readFileSync(keyFile, "utf8"),
        },
      },
    };
    const auth = { type: "certificate", certificateFile: certFile, privateKeyFile: keyFile };
    const r = await run({ securityMode: "Sign", securityPolicy: "Basic256Sha256", auth }, secrets, "good");
    expect(r.got.some((x) => x.quality === "good")).toBe(true);
  }, 60_000);

  it("a wrong password leaves the device down and retries with backoff, not a session flood", async () => {
    const before = server.sessionsCreated();
    const t0 = Date.now();
    await run(
      {
        securityMode: "Sign",
        securityPolicy: "Basic256Sha256",
        auth: { type: "username", username: "operator" },
      },
      { devicePasswords: { "340111-BRG-00001-D01": "wrong" } },
      "down",
    );
    await sleep(2500);
    const seconds = (Date.now() - t0) / 1000;
    // Backoff 1 s doubling to a 2 s cap: at most about one attempt per second.
    expect(server.sessionsCreated() - before).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(server.activeSessions()).toBe(0);
  }, 60_000);
});

const until = untilWithin(30_000);
