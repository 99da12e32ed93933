/**
 * Credentials and rate limits (docs/security.md): token buckets, the per-IP connection limit,
 * the per-client message limit (pauses, loses nothing), operator token expiry, admin-issued
 * provisioning keys, rotation, and revocation surviving a restart.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import { OperatorAuthenticator } from "../src/auth/operators";
import { loadGatewayConfig } from "../src/config/load";
import { hashSecret } from "../src/config/secret";
import { matchesPattern } from "../src/security/credentials";
import { KeyedLimiter, TokenBucket } from "../src/security/rate-limit";
import { http, mqttConnect } from "../../test/security/support";
import { GAS_DEV, GW, batch } from "./fixtures";
import { SECRETS, TOKENS, eventually, startTestGateway, testOperators, type TestGateway } from "./harness";

const started: TestGateway[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const g of started) await g.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function start(extra: Record<string, unknown>): Promise<TestGateway> {
  const g = await startTestGateway({ operators: await testOperators(), ...extra });
  started.push(g);
  return g;
}

describe("token buckets", () => {
  it("takes up to the burst, refills at the rate, reserves into debt and refunds", () => {
    const b = new TokenBucket({ ratePerS: 10, burst: 3 }, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.waitMs(0)).toBe(100);
    expect(b.take(100)).toBe(true);
    expect(b.reserve(100)).toBe(100);
    expect(b.reserve(100)).toBe(200);
    b.refund(100);
    expect(b.waitMs(100)).toBe(200);
    const k = new KeyedLimiter({ ratePerS: 1, burst: 1 }, () => 0, 4);
    expect([k.take("a"), k.take("a"), k.take("b")]).toEqual([true, false, true]);
    for (const key of ["c", "d", "e", "f"]) k.take(key);
    expect(k.size).toBeLessThanOrEqual(4);
  });

  it("matches provisioning patterns on id characters only", () => {
    expect(matchesPattern("gw-new-*", "gw-new-01")).toBe(true);
    expect(matchesPattern("gw-new-*", "gw-old-01")).toBe(false);
    expect(matchesPattern("gw-*-a", "gw-x-a")).toBe(true);
    expect(matchesPattern("gw.*", "gwx1")).toBe(false);
  });
});

describe("operator token expiry", () => {
  it("answers TOKEN_EXPIRED only for the right secret, also after caching", async () => {
    let now = 1_000;
    const auth = new OperatorAuthenticator(
      [{ name: "ann", role: "admin", tokenHash: await hashSecret("s3cret", { N: 1024 }), expiresAt: 5_000 }],
      () => now,
    );
    expect(await auth.verify("ann.s3cret")).toMatchObject({ ok: true });
    expect(await auth.verify("ann.wrong")).toMatchObject({ ok: false, code: "UNAUTHENTICATED" });
    now = 5_000; // cached success, now expired
    expect(await auth.verify("ann.s3cret")).toMatchObject({ ok: false, code: "TOKEN_EXPIRED" });
    expect(await auth.verify("ann.wrong")).toMatchObject({ ok: false, code: "UNAUTHENTICATED" });
    expect(await auth.verify("ann")).toMatchObject({ ok: false, code: "UNAUTHENTICATED" });
  });

  it("validates expiresAt and provisioning keys in the config", () => {
    const base = "version: 1\ntenant: t\ncity: c.json\nmode: demo\n";
    expect(() =>
      loadGatewayConfig(
        `${base}operators: [{name: a, role: admin, tokenHash: "scrypt$1024$8$1$AA==$AA==", expiresAt: "tomorrow"}]\n`,
        "g.yaml",
        {},
      ),
    ).toThrow(/operators\[0\]\.expiresAt/);
    expect(() =>
      loadGatewayConfig(
        `${base}provisioning: {keys: [{id: k, keyHash: "scrypt$1024$8$1$AA==$AA==", gatewayId: a, gatewayIdPattern: "a*"}]}\n`,
        "g.yaml",
        {},
      ),
    ).toThrow(/exactly one of gatewayId and gatewayIdPattern/);
  });
});

describe("broker rate limits", () => {
  it("closes connections over the per-IP connect rate before parsing MQTT", async () => {
    const g = await start({ limits: { connectsPerSecond: 0.5, connectBurst: 3 } });
    const from = "127.0.0.31";
    const outcomes = [];
    for (let i = 0; i < 5; i++)
      outcomes.push(
        await mqttConnect({ port: g.addr.mqttPort, localAddress: from, username: GW, password: SECRETS[GW] }),
      );
    expect(outcomes).toEqual([0, 0, 0, "closed", "closed"]);
    expect(await g.metric("citytwin_mqtt_rate_limited_total", { kind: "connect" })).toBe(2);
    // Another address has its own bucket.
    expect(
      await mqttConnect({
        port: g.addr.mqttPort,
        localAddress: "127.0.0.32",
        username: GW,
        password: SECRETS[GW],
      }),
    ).toBe(0);
  });

  it("pauses a client over its message rate and loses nothing", async () => {
    const g = await start({ limits: { messagesPerSecond: 20, messageBurst: 5 } });
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${g.addr.mqttPort}`, {
      username: GW,
      password: SECRETS[GW],
      reconnectPeriod: 0,
    });
    const t0 = Date.now();
    const base = Date.now() - 60_000;
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        c.publishAsync(
          `ct/v1/hefei/${GW}/telemetry`,
          JSON.stringify(
            batch(i + 1, { [GAS_DEV]: [{ ts: base + i * 100, clock: "edge", values: { ch4: 0.5 } }] }),
          ),
          { qos: 1 },
        ),
      ),
    );
    const took = Date.now() - t0;
    await c.endAsync();
    // 5 at once, then 20 at 20/s: about a second.
    expect(took).toBeGreaterThanOrEqual(800);
    expect(await g.metric("citytwin_mqtt_rate_limited_total", { kind: "message" })).toBeGreaterThanOrEqual(
      15,
    );
    await eventually(async () =>
      (await g.metric("citytwin_ingest_batches_total")) === 25 ? true : undefined,
    );
  });
});

describe("credentials at run time", () => {
  it("issues a one-time key, provisions, rotates and keeps a revocation across a restart", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "citytwin-cred-"));
    dirs.push(stateDir);
    let g = await start({ alarms: { stateDir } });
    const url = () => g.addr.url;
    const port = () => g.addr.mqttPort;
    expect(
      (
        await http(url(), "POST", "api/provisioning-keys", {
          token: TOKENS.operator,
          body: { gatewayId: "gw-9" },
        })
      ).status,
    ).toBe(403);
    const issued = await http(url(), "POST", "api/provisioning-keys", {
      token: TOKENS.admin,
      body: { gatewayId: "gw-9", ttlMs: 60_000 },
    });
    expect(issued.status).toBe(201);
    const key = (issued.body as { key: string }).key;
    expect((await http(url(), "POST", "api/provision", { body: { key, gatewayId: "gw-8" } })).status).toBe(
      403,
    );
    expect(
      (await http(url(), "POST", "api/provision", { body: { key: `${key}x`, gatewayId: "gw-9" } })).status,
    ).toBe(401);
    const first = await http(url(), "POST", "api/provision", { body: { key, gatewayId: "gw-9" } });
    expect(first.status).toBe(200);
    const pw1 = (first.body as { password: string }).password;
    expect(pw1.length).toBeGreaterThanOrEqual(40);
    expect(await mqttConnect({ port: port(), username: "gw-9", password: pw1 })).toBe(0);

    const rotated = await http(url(), "POST", "api/gateways/gw-9/rotate", { token: TOKENS.admin });
    expect(rotated.status).toBe(200);
    const pw2 = (rotated.body as { password: string }).password;
    expect(await mqttConnect({ port: port(), username: "gw-9", password: pw1 })).toBe(4);
    expect(await mqttConnect({ port: port(), username: "gw-9", password: pw2 })).toBe(0);

    expect((await http(url(), "POST", `api/gateways/${GW}/revoke`, { token: TOKENS.admin })).status).toBe(
      200,
    );
    const audit = await http(url(), "GET", "api/audit", { token: TOKENS.admin });
    const actions = (audit.body as { entries: { action: string; target: string }[] }).entries.map(
      (e) => `${e.action} ${e.target}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        "provisioning_key_issue " + key.split(".")[0],
        "gateway_provision gw-9",
        "gateway_rotate gw-9",
        `gateway_revoke ${GW}`,
      ]),
    );

    await g.stop();
    started.splice(started.indexOf(g), 1);
    g = await start({ alarms: { stateDir } });
    expect(await mqttConnect({ port: port(), username: GW, password: SECRETS[GW] })).toBe(4);
    expect(await mqttConnect({ port: port(), username: "gw-9", password: pw2 })).toBe(0);
    expect((await http(url(), "POST", "api/provision", { body: { key, gatewayId: "gw-9" } })).status).toBe(
      401,
    );
  });
});
