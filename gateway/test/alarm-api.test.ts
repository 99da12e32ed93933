/**
 * The alarm API on a real in-process gateway: a red methane reading published over MQTT
 * raises an alarm; reads and actions are checked for authentication (401), roles (403),
 * bodies (400/413/415), targets (404) and state (409); `/live` sends alarm frames only to
 * token holders; an operator's acknowledgement survives a restart on the same state dir.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alarm, AuditEntry, LiveMessage } from "@citytwin/model";
import { GAS_DEV, GW, batch } from "./fixtures";
import {
  TOKENS,
  connectEdge,
  eventually,
  liveUpgradeStatus,
  startTestGateway,
  testOperators,
  type TestGateway,
} from "./harness";

const CH4 = `${GAS_DEV}.ch4`;

let stateDir: string;
let gw: TestGateway;
let alarm: Alarm;

async function start(): Promise<TestGateway> {
  return startTestGateway({ operators: await testOperators(), alarms: { stateDir, tickMs: 100 } });
}

function call(path: string, token?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  if (init.body !== undefined && !headers.has("content-type"))
    headers.set("content-type", "application/json");
  return fetch(new URL(path, gw.addr.url), { ...init, headers });
}

const post = (path: string, token: string | undefined, body: unknown = {}) =>
  call(path, token, { method: "POST", body: JSON.stringify(body) });

async function errorCode(res: Response): Promise<[number, string]> {
  return [res.status, ((await res.json()) as { error: { code: string } }).error.code];
}

function liveFrames(token?: string): Promise<LiveMessage[]> {
  const url = new URL(
    `live${token === undefined ? "" : `?token=${token}`}`,
    gw.addr.url.replace("http", "ws"),
  );
  const ws = new WebSocket(url);
  const frames: LiveMessage[] = [];
  ws.on("message", (d) => frames.push(JSON.parse(String(d)) as LiveMessage));
  return new Promise((resolve) => setTimeout(() => (ws.close(), resolve(frames)), 700));
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "citytwin-alarm-api-"));
  gw = await start();
  const client = await connectEdge(gw);
  const t = Date.now();
  const readings = [0, 1, 2].map((i) => ({ ts: t - 2000 + i * 1000, clock: "edge", values: { ch4: 60 } }));
  await client.publishAsync(
    `ct/v1/hefei/${GW}/telemetry`,
    JSON.stringify(batch(1, { [GAS_DEV]: readings })),
    {
      qos: 1,
    },
  );
  await client.endAsync();
  alarm = await eventually(async () => {
    const res = await call("api/alarms", TOKENS.viewer);
    const list = ((await res.json()) as { alarms: Alarm[] }).alarms;
    return list.find((a) => a.sourceId === CH4 && a.detector === "threshold" && a.level === "red");
  });
});

afterAll(async () => {
  await gw?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe("alarm API", () => {
  it("raises a red threshold alarm with its asset, owner and evidence", () => {
    expect(alarm.state).toBe("unack");
    expect(alarm.assetId).toBe("340111-GVC-00001");
    expect(alarm.owner.org).toBe("Hefei Gas");
    expect(alarm.evidence[0]?.sensorId).toBe(CH4);
    expect(alarm.evidence[0]?.points.length).toBeGreaterThanOrEqual(1);
  });

  it("counts detector conditions and alarms in /metrics", async () => {
    expect(
      await gw.metric("citytwin_detector_conditions_total", { detector: "threshold", level: "red" }),
    ).toBe(1);
    expect(await gw.metric("citytwin_alarms_active", { level: "red" })).toBeGreaterThanOrEqual(1);
    expect(await gw.metric("citytwin_alarms", { state: "unack" })).toBeGreaterThanOrEqual(1);
    expect(await gw.metric("citytwin_alarm_flood_active")).toBe(0);
  });

  it.each([
    ["no token", undefined, 401, "UNAUTHENTICATED"],
    ["a malformed token", "no-dot-here", 401, "UNAUTHENTICATED"],
    ["a wrong secret", "wall.wrong", 401, "UNAUTHENTICATED"],
    ["an unknown operator", "ghost.secret", 401, "UNAUTHENTICATED"],
  ])("refuses reads with %s", async (_what, token, status, code) => {
    expect(await errorCode(await call("api/alarms", token))).toEqual([status, code]);
  });

  it("answers every bad action with its own status", async () => {
    const id = alarm.id;
    expect(await errorCode(await post(`api/alarms/${id}/ack`, TOKENS.viewer))).toEqual([403, "FORBIDDEN"]);
    expect(await errorCode(await post(`api/alarms/${id}/ack`, undefined))).toEqual([401, "UNAUTHENTICATED"]);
    expect(await errorCode(await post("api/alarms/A-nope/ack", TOKENS.operator))).toEqual([404, "NOT_FOUND"]);
    expect(await errorCode(await post(`api/alarms/${id}/frobnicate`, TOKENS.operator))).toEqual([
      404,
      "NOT_FOUND",
    ]);
    const tooLong = { durationS: 7 * 24 * 3600, reason: "night shift" };
    expect(await errorCode(await post(`api/alarms/${id}/shelve`, TOKENS.operator, tooLong))).toEqual([
      400,
      "BAD_REQUEST",
    ]);
    const text = await call(`api/alarms/${id}/ack`, TOKENS.operator, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "text/plain" },
    });
    expect(await errorCode(text)).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
    const huge = await post(`api/alarms/${id}/ack`, TOKENS.operator, { comment: "x".repeat(20_000) });
    expect(await errorCode(huge)).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    const bad = await call(`api/alarms/${id}/ack`, TOKENS.operator, { method: "POST", body: "{oops" });
    expect(await errorCode(bad)).toEqual([400, "MALFORMED_JSON"]);
    expect(await errorCode(await call("api/alarms?level=purple", TOKENS.viewer))).toEqual([
      400,
      "BAD_REQUEST",
    ]);
    const still = (await (await call(`api/alarms/${id}`, TOKENS.viewer)).json()) as Alarm;
    expect(still.state).toBe("unack");
  });

  it("refuses /live without a valid token and sends alarm frames to a token holder", async () => {
    expect(await liveUpgradeStatus(gw)).toBe(401);
    expect(await liveUpgradeStatus(gw, "wall.not-the-secret")).toBe(401);
    const viewer = await liveFrames(TOKENS.viewer);
    expect(viewer.some((f) => f.type === "hello")).toBe(true);
    const snapshot = viewer.find((f) => f.type === "alarms");
    expect(snapshot?.type === "alarms" && snapshot.alarms.some((a) => a.id === alarm.id)).toBe(true);
  });

  it("lets an operator acknowledge once, audits it, and keeps it across a restart", async () => {
    const res = await post(`api/alarms/${alarm.id}/ack`, TOKENS.operator, { comment: "crew on the way" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Alarm).state).toBe("ack");
    expect(await errorCode(await post(`api/alarms/${alarm.id}/ack`, TOKENS.operator))).toEqual([
      409,
      "INVALID_STATE",
    ]);
    await gw.stop();
    gw = await start();
    const after = (await (await call(`api/alarms/${alarm.id}`, TOKENS.viewer)).json()) as Alarm;
    expect(after.state).toBe("ack");
    expect(after.ackedBy).toBe("duty-op");
    expect(after.active).toBe(true);
    const audit = (await (await call("api/audit", TOKENS.viewer)).json()) as { entries: AuditEntry[] };
    expect(audit.entries.filter((e) => e.action === "ack" && e.target === alarm.id)).toHaveLength(1);
  });
});
