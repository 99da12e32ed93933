/**
 * Security test suite (docs/security.md, "Security test suite"): a real gateway in-process,
 * attacked over real sockets. Each row tries an attack a number of times and expects every
 * try refused, and runs a positive control showing the same path works for the legitimate
 * party (so a row cannot pass because the path is simply broken). The table is printed and
 * written to test-output/security-report.{md,json}.
 *
 * Attacks that spend a per-IP budget come from their own loopback address (127.0.0.x), so the
 * rows do not depend on each other's order.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alarm, AuditEntry, LatestReading } from "@citytwin/model";
import { hashSecret } from "../../gateway/src/config/secret";
import { GAS_DEV, GW, GW2, OTHER_DEV, batch } from "../../gateway/test/fixtures";
import {
  SECRETS,
  TOKENS,
  eventually,
  startTestGateway,
  testOperators,
  type TestGateway,
} from "../../gateway/test/harness";
import { errorCode, http, mqttConnect, writeReport, type AttackRow, type ConnectOutcome } from "./support";

const GW3 = "gw-03";
const GW3_SECRET = "secret-three-0123456789";
const EXPIRED_TOKEN = "old-admin.old-admin-secret-0123456789";
const PROVISION_KEY = "site-7.provisioning-secret-0123456789";
const TENANT = "hefei";

let gw: TestGateway;
let stateDir: string;
const rows: AttackRow[] = [];
const open: MqttClient[] = [];

const base = (): string => gw.addr.url;
const port = (): number => gw.addr.mqttPort;
const refusedCount = (outcomes: readonly ConnectOutcome[]): number => outcomes.filter((o) => o !== 0).length;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function session(username: string, password: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port()}`, {
    clientId: `${username}-${Math.random().toString(36).slice(2, 8)}`,
    username,
    password,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  open.push(c);
  return c;
}

/** SUBACK return codes (MQTT.js rejects on 0x80 but still hands over the packet). */
function suback(client: MqttClient, filters: string[]): Promise<number[]> {
  return new Promise((resolve, reject) =>
    client.subscribe(filters, { qos: 1 }, (err, _granted, packet) => {
      const codes = (packet as { granted?: number[] } | undefined)?.granted;
      if (codes !== undefined) resolve(codes);
      else reject(err ?? new Error("no SUBACK"));
    }),
  );
}

function record(row: AttackRow): void {
  rows.push(row);
  expect(row.tried).toBeGreaterThan(0);
  expect(row.controlOk, `${row.attack}: positive control`).toBe(true);
  expect(row.refused, `${row.attack}: refused of tried`).toBe(row.tried);
}

async function audit(): Promise<AuditEntry[]> {
  const r = await http(base(), "GET", "api/audit?limit=500", { token: TOKENS.admin });
  return (r.body as { entries: AuditEntry[] }).entries;
}

async function latest(sensorId: string): Promise<LatestReading | undefined> {
  const r = await http(base(), "GET", "api/latest", { token: TOKENS.viewer });
  return (r.body as { readings: LatestReading[] }).readings.find((x) => x.sensorId === sensorId);
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "citytwin-security-"));
  const gateways = [];
  for (const [id, secret] of [...Object.entries(SECRETS), [GW3, GW3_SECRET]] as [string, string][])
    gateways.push({ id, secretHash: await hashSecret(secret, { N: 1024 }) });
  const [oldName, oldSecret] = EXPIRED_TOKEN.split(".") as [string, string];
  const [keyId, keySecret] = PROVISION_KEY.split(".") as [string, string];
  gw = await startTestGateway({
    gateways,
    operators: [
      ...(await testOperators()),
      {
        name: oldName,
        role: "admin",
        tokenHash: await hashSecret(oldSecret, { N: 1024 }),
        expiresAt: "2020-01-01T00:00:00Z",
      },
    ],
    alarms: { stateDir, tickMs: 100 },
    provisioning: {
      keys: [{ id: keyId, keyHash: await hashSecret(keySecret, { N: 1024 }), gatewayIdPattern: "gw-new-*" }],
    },
  });
});

afterAll(async () => {
  for (const c of open) c.end(true);
  await gw?.stop();
  await rm(stateDir, { recursive: true, force: true });
  if (rows.length > 0) {
    const table = writeReport(rows);
    console.log(`\nSecurity test suite\n${table}\n(test-output/security-report.md, .json)\n`);
  }
});

describe("security test suite", () => {
  it("refuses anonymous MQTT connects", async () => {
    const from = "127.0.0.11";
    const outcomes = [
      await mqttConnect({ port: port(), localAddress: from }),
      await mqttConnect({ port: port(), localAddress: from, username: GW }),
      await mqttConnect({ port: port(), localAddress: from, username: "", password: SECRETS[GW] }),
    ];
    const control = await mqttConnect({
      port: port(),
      localAddress: from,
      username: GW,
      password: SECRETS[GW],
    });
    record({
      attack: "anonymous MQTT connect (no username / no password / empty username)",
      tried: outcomes.length,
      refused: outcomes.filter((o) => o === 5).length,
      how: `CONNACK ${outcomes.map(String).join(", ")}`,
      control: "gw-01 with its secret connects",
      controlOk: control === 0,
    });
  });

  it("refuses wrong passwords", async () => {
    const from = "127.0.0.12";
    const outcomes = [
      await mqttConnect({ port: port(), localAddress: from, username: GW, password: "wrong-1" }),
      await mqttConnect({ port: port(), localAddress: from, username: GW, password: `${SECRETS[GW]}x` }),
      await mqttConnect({ port: port(), localAddress: from, username: GW2, password: SECRETS[GW] }),
    ];
    const control = await mqttConnect({
      port: port(),
      localAddress: from,
      username: GW,
      password: SECRETS[GW],
    });
    record({
      attack: "wrong MQTT password (incl. another gateway's secret)",
      tried: outcomes.length,
      refused: outcomes.filter((o) => o === 4).length,
      how: `CONNACK ${outcomes.map(String).join(", ")}`,
      control: "right password connects",
      controlOk: control === 0,
    });
  });

  it("revokes a credential: the live session is closed at once, reconnects are refused", async () => {
    const from = "127.0.0.13";
    const live = await session(GW3, GW3_SECRET); // the positive control, and a cached verification
    const closed = new Promise<boolean>((resolve) => {
      live.once("close", () => resolve(true));
      setTimeout(() => resolve(false), 3000);
    });
    const viewerTry = await http(base(), "POST", `api/gateways/${GW3}/revoke`, { token: TOKENS.operator });
    expect(viewerTry.status).toBe(403);
    const r = await http(base(), "POST", `api/gateways/${GW3}/revoke`, { token: TOKENS.admin });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ gatewayId: GW3, revoked: true, sessionsClosed: 1 });
    const sessionClosed = await closed;
    const outcomes: ConnectOutcome[] = [];
    for (let i = 0; i < 3; i++)
      outcomes.push(
        await mqttConnect({ port: port(), localAddress: from, username: GW3, password: GW3_SECRET }),
      );
    const entries = await audit();
    expect(
      entries.some((e) => e.action === "gateway_revoke" && e.target === GW3 && e.actor === "duty-admin"),
    ).toBe(true);
    record({
      attack: "revoked credential (live session + 3 reconnects with the right secret)",
      tried: 1 + outcomes.length,
      refused: (sessionClosed ? 1 : 0) + outcomes.filter((o) => o === 4).length,
      how: `session closed: ${sessionClosed}; CONNACK ${outcomes.map(String).join(", ")}`,
      control: "gw-03 connected before revocation",
      controlOk: live.connected || sessionClosed,
    });
  });

  it("keeps gateway A from publishing as gateway B", async () => {
    const a = await session(GW, SECRETS[GW]!);
    const b = await session(GW2, SECRETS[GW2]!);
    const sensorB = `${OTHER_DEV}.ch4`;
    const sensorA = `${GAS_DEV}.ch4`;
    const t0 = Date.now() - 5000;
    await b.publishAsync(
      `ct/v1/${TENANT}/${GW2}/telemetry`,
      JSON.stringify(batch(1, { [OTHER_DEV]: [{ ts: t0, clock: "edge", values: { ch4: 1.25 } }] })),
      { qos: 1 },
    );
    const control = await eventually(async () =>
      (await latest(sensorB))?.value === 1.25 ? true : undefined,
    );
    const rejectedBefore = await gw.metric("citytwin_ingest_rejected_total", { reason: "TOPIC_IDENTITY" });
    const forged = [
      [
        `ct/v1/${TENANT}/${GW2}/telemetry`,
        batch(2, { [OTHER_DEV]: [{ ts: t0 + 1000, clock: "edge", values: { ch4: 9.75 } }] }),
      ],
      [
        `ct/v1/${TENANT}/${GW2}/telemetry`,
        batch(3, { [GAS_DEV]: [{ ts: t0 + 2000, clock: "edge", values: { ch4: 9.75 } }] }),
      ],
      [`ct/v1/${TENANT}/${GW2}/status`, { v: 1, ts: Date.now(), state: "offline" }],
    ] as const;
    for (const [topic, body] of forged) await a.publishAsync(topic, JSON.stringify(body), { qos: 1 });
    await sleep(500);
    const counted =
      (await gw.metric("citytwin_ingest_rejected_total", { reason: "TOPIC_IDENTITY" })) - rejectedBefore;
    const bNow = await latest(sensorB);
    const aNow = await latest(sensorA);
    const leaked = bNow?.value === 9.75 || aNow?.value === 9.75;
    record({
      attack: "gateway A publishes on gateway B's telemetry/status",
      tried: forged.length,
      refused: leaked ? 0 : Math.min(counted, forged.length),
      how: `PUBACKed and discarded [MQTT-3.3.5-2], TOPIC_IDENTITY +${counted}; B's latest ${bNow?.value}`,
      control: "B's own publish reaches ingest",
      controlOk: control,
    });
  });

  it("keeps gateway A from subscribing to gateway B's commands", async () => {
    const a = await session(GW, SECRETS[GW]!);
    const filters = [
      `ct/v1/${TENANT}/${GW2}/cmd/+`,
      `ct/v1/${TENANT}/${GW2}/cmd/reboot`,
      `ct/v1/${TENANT}/${GW2}/config`,
      `ct/v1/${TENANT}/+/cmd/+`,
      "#",
    ];
    const granted = await suback(a, filters);
    const own = await suback(a, [`ct/v1/${TENANT}/${GW}/cmd/+`]);
    record({
      attack: "gateway A subscribes to B's commands/config (and wildcards)",
      tried: filters.length,
      refused: granted.filter((q) => q === 128).length,
      how: `SUBACK ${granted.map((q) => `0x${q.toString(16)}`).join(", ")}`,
      control: "A subscribes to its own cmd/+",
      controlOk: own[0] === 1,
    });
  });

  it("refuses a viewer acknowledging or shelving an alarm", async () => {
    const a = await session(GW, SECRETS[GW]!);
    const t = Date.now();
    const readings = [0, 1, 2].map((i) => ({ ts: t - 2000 + i * 1000, clock: "edge", values: { ch4: 60 } }));
    await a.publishAsync(
      `ct/v1/${TENANT}/${GW}/telemetry`,
      JSON.stringify(batch(10, { [GAS_DEV]: readings })),
      {
        qos: 1,
      },
    );
    const alarm = await eventually(async () => {
      const r = await http(base(), "GET", "api/alarms", { token: TOKENS.viewer });
      return (r.body as { alarms: Alarm[] }).alarms.find(
        (x) => x.sourceId === `${GAS_DEV}.ch4` && x.state === "unack",
      );
    });
    const tries = [
      await http(base(), "POST", `api/alarms/${alarm.id}/ack`, { token: TOKENS.viewer, body: {} }),
      await http(base(), "POST", `api/alarms/${alarm.id}/shelve`, {
        token: TOKENS.viewer,
        body: { durationS: 600, reason: "nuisance alarm" },
      }),
    ];
    const control = await http(base(), "POST", `api/alarms/${alarm.id}/ack`, {
      token: TOKENS.operator,
      body: { comment: "security suite" },
    });
    record({
      attack: "viewer acknowledges / shelves an alarm",
      tried: tries.length,
      refused: tries.filter((r) => r.status === 403).length,
      how: tries.map((r) => `${r.status} ${errorCode(r)}`).join(", "),
      control: "operator acknowledges",
      controlOk: control.status === 200,
    });
  });

  it("refuses forged operator tokens", async () => {
    const from = "127.0.0.17";
    const secretOf = (t: string) => t.split(".")[1] ?? "";
    const forged = [
      "duty-admin.wrong-secret-0123456789",
      `duty-admin.${secretOf(TOKENS.viewer)}`,
      `nobody.${secretOf(TOKENS.admin)}`,
      "duty-admin",
      `duty-admin.${secretOf(TOKENS.admin)}.x`,
    ];
    const tries = [];
    for (const token of forged)
      tries.push(await http(base(), "GET", "api/audit", { token, localAddress: from }));
    const mqttForged = await mqttConnect({
      port: port(),
      localAddress: from,
      username: "op:duty-admin",
      password: "duty-admin.wrong-secret-0123456789",
    });
    const control = await http(base(), "GET", "api/audit", { token: TOKENS.admin, localAddress: from });
    record({
      attack: "forged operator token (wrong secret, another's secret, unknown name, malformed; HTTP + MQTT)",
      tried: tries.length + 1,
      refused: tries.filter((r) => r.status === 401).length + (mqttForged === 4 ? 1 : 0),
      how: `${[...new Set(tries.map((r) => `${r.status} ${errorCode(r)}`))].join(", ")}; MQTT CONNACK ${mqttForged}`,
      control: "the real admin token reads the audit log",
      controlOk: control.status === 200,
    });
  });

  it("refuses an expired operator token", async () => {
    const from = "127.0.0.18";
    const tries = [
      await http(base(), "GET", "api/audit", { token: EXPIRED_TOKEN, localAddress: from }),
      await http(base(), "POST", "api/provisioning-keys", {
        token: EXPIRED_TOKEN,
        localAddress: from,
        body: { gatewayId: "gw-x" },
      }),
    ];
    const mqttTry = await mqttConnect({
      port: port(),
      localAddress: from,
      username: "op:old-admin",
      password: EXPIRED_TOKEN,
    });
    const control = await http(base(), "GET", "api/audit", { token: TOKENS.admin, localAddress: from });
    record({
      attack: "expired operator token (HTTP read, HTTP admin action, MQTT login)",
      tried: tries.length + 1,
      refused:
        tries.filter((r) => r.status === 401 && errorCode(r) === "TOKEN_EXPIRED").length +
        (mqttTry === 4 ? 1 : 0),
      how: `${tries.map((r) => `${r.status} ${errorCode(r)}`).join(", ")}; MQTT CONNACK ${mqttTry}`,
      control: "an unexpired admin token works",
      controlOk: control.status === 200,
    });
  });

  it("rate-limits an MQTT brute force (300 wrong passwords from one IP) and stays responsive", async () => {
    const from = "127.0.0.19";
    const limitedBefore = await gw.metric("citytwin_mqtt_rate_limited_total", { kind: "auth" });
    const t0 = Date.now();
    const burst = Array.from({ length: 300 }, (_, i) =>
      mqttConnect({
        port: port(),
        localAddress: from,
        username: GW,
        password: `guess-${i}`,
        timeoutMs: 20_000,
      }),
    );
    // While the burst runs: a legitimate gateway from another address, and the HTTP API.
    const c0 = Date.now();
    const control = await mqttConnect({
      port: port(),
      localAddress: "127.0.0.20",
      username: GW2,
      password: SECRETS[GW2],
    });
    const controlMs = Date.now() - c0;
    const health = await http(base(), "GET", "healthz");
    const outcomes = await Promise.all(burst);
    const burstMs = Date.now() - t0;
    const limited = (await gw.metric("citytwin_mqtt_rate_limited_total", { kind: "auth" })) - limitedBefore;
    // scrypt ran for at most the per-minute budget (30 by default); the rest were refused before it.
    expect(limited).toBeGreaterThanOrEqual(300 - 30);
    expect(controlMs).toBeLessThan(3000);
    const codes = [...new Set(outcomes.map(String))].join("/");
    record({
      attack: "MQTT brute force: 300 wrong passwords from one IP",
      tried: outcomes.length,
      refused: refusedCount(outcomes),
      how: `CONNACK ${codes}; ${limited} refused by the rate limit before scrypt; burst ${burstMs} ms`,
      control: `valid gateway from another IP connects during the burst (${controlMs} ms), /healthz ${health.status}`,
      controlOk: control === 0 && health.status === 200,
    });
  });

  it("rate-limits an HTTP token brute force with 429 and Retry-After", async () => {
    const from = "127.0.0.21";
    const tries = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        http(base(), "GET", "api/audit", { token: `duty-admin.guess-${i}`, localAddress: from }),
      ),
    );
    const limited = tries.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0]?.headers["retry-after"])).toBeGreaterThan(0);
    const control = await http(base(), "GET", "api/audit", {
      token: TOKENS.admin,
      localAddress: "127.0.0.22",
    });
    record({
      attack: "HTTP token brute force: 60 wrong tokens from one IP",
      tried: tries.length,
      refused: tries.filter((r) => r.status === 401 || r.status === 429).length,
      how: `${tries.filter((r) => r.status === 401).length}× 401, ${limited.length}× 429 (Retry-After ${String(limited[0]?.headers["retry-after"])} s)`,
      control: "the admin token from another IP reads",
      controlOk: control.status === 200,
    });
  });

  it("refuses a used provisioning key", async () => {
    const from = "127.0.0.23";
    const first = await http(base(), "POST", "api/provision", {
      localAddress: from,
      body: { key: PROVISION_KEY, gatewayId: "gw-new-01" },
    });
    const issued = first.body as { gatewayId: string; username: string; password: string };
    const connects =
      first.status === 200
        ? await mqttConnect({
            port: port(),
            localAddress: from,
            username: issued.username,
            password: issued.password,
          })
        : -1;
    const tries = [
      await http(base(), "POST", "api/provision", {
        localAddress: from,
        body: { key: PROVISION_KEY, gatewayId: "gw-new-01" },
      }),
      await http(base(), "POST", "api/provision", {
        localAddress: from,
        body: { key: PROVISION_KEY, gatewayId: "gw-new-02" },
      }),
    ];
    // Only the hash is stored, 0600.
    const file = join(stateDir, "gateway-credentials.json");
    const text = await readFile(file, "utf8");
    expect(text).not.toContain(issued.password);
    expect(text).toContain("gw-new-01");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const entries = await audit();
    expect(entries.some((e) => e.action === "gateway_provision" && e.target === "gw-new-01")).toBe(true);
    record({
      attack: "used provisioning key reused (same id, another id)",
      tried: tries.length,
      refused: tries.filter((r) => r.status === 401 && errorCode(r) === "KEY_USED").length,
      how: tries.map((r) => `${r.status} ${errorCode(r)}`).join(", "),
      control: "first use issues a credential that connects",
      controlOk: first.status === 200 && connects === 0,
    });
  });
});
