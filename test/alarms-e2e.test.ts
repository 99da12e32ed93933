/**
 * Alarms end to end on the real platform (simulators → edge agents → gateway): a gas leak
 * injected in the simulator raises a red alarm with evidence that reaches a WebSocket client
 * (`/live?token=`, viewer role) before the scenario's deadline; an operator token can
 * acknowledge it, a viewer token cannot, no token is refused; the acknowledged alarm, its
 * incident and the audit entry survive a gateway restart.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEVEL_RANK, liveMessageSchema, type Alarm, type AuditEntry, type Incident } from "@citytwin/model";
import { launchPlatform, type Platform } from "../simulators/src/demo/launch";
import type { GroundTruthWindow } from "../simulators/src/signals/ground-truth";
import { freePortBlock, freePorts } from "./support/free-port";

const ROOT = join(import.meta.dirname, "..");
const ASSET = "340111-GVC-00003";

let platform: Platform;
let truth: GroundTruthWindow;
let ws: WebSocket;
const frames: { at: number; alarm: Alarm }[] = [];

async function api(path: string, token?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return fetch(new URL(path, platform.url), { ...init, headers });
}

function connectLive(token?: string): Promise<WebSocket> {
  const url = new URL("live", platform.url.replace(/^http/, "ws"));
  if (token !== undefined) url.searchParams.set("token", token);
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const redLeakAlarm = () =>
  frames.find((f) => f.alarm.assetId === ASSET && LEVEL_RANK[f.alarm.level] >= LEVEL_RANK.red);

beforeAll(async () => {
  const [mqttPort, httpPort, opcuaPort, fieldBrokerPort] = await freePorts(4);
  const runtimeDir = mkdtempSync(join(tmpdir(), "citytwin-alarms-e2e-"));
  platform = await launchPlatform({
    runtimeDir,
    seed: 42,
    scale: 1,
    scenario: join(ROOT, "test/fixtures/alarm-gas-leak.yaml"),
    host: "127.0.0.1",
    mqttPort: mqttPort!,
    httpPort: httpPort!,
    modbusPort: await freePortBlock(4),
    opcuaPort: opcuaPort!,
    fieldBrokerPort: fieldBrokerPort!,
    logLevel: "info",
  });
  const doc = JSON.parse(readFileSync(join(runtimeDir, "ground-truth.json"), "utf8")) as {
    timeScale: number;
    windows: GroundTruthWindow[];
  };
  expect(doc.timeScale).toBe(1); // simulated time = wall time, so deadlines compare to Date.now()
  truth = doc.windows[0]!;
  ws = await connectLive(platform.operatorTokens.viewer);
  ws.on("message", (data) => {
    const msg = liveMessageSchema.parse(JSON.parse(String(data)));
    if (msg.type === "alarm") frames.push({ at: Date.now(), alarm: msg.alarm });
  });
}, 180_000);

afterAll(async () => {
  ws?.close();
  await platform?.stop();
});

describe("gas leak alarm, end to end", () => {
  it("reaches a viewer's WebSocket as a red alarm with evidence before the scenario's deadline", async () => {
    expect(truth.type).toBe("gas_leak");
    const timeout = Math.max(0, truth.deadlineMs - Date.now()) + 60_000;
    const first = await waitFor("a red alarm on the leaking chamber", redLeakAlarm, timeout);
    expect(first.at).toBeLessThanOrEqual(truth.deadlineMs);
    expect(first.alarm.raisedAt).toBeGreaterThanOrEqual(truth.startMs);
    expect(first.alarm.state).toBe("unack");
    expect(first.alarm.owner.person.length).toBeGreaterThan(0);
    expect(first.alarm.hierarchy.district.length).toBeGreaterThan(0);
    expect(first.alarm.explanation.en.length).toBeGreaterThan(10);
    const ch4 = first.alarm.evidence.find((e) => e.kind === "ch4");
    expect(ch4?.points.length).toBeGreaterThan(3);
    // The evidence window holds the rise: normal readings before the leak, then the leak's.
    const before = ch4!.points.filter(([ts]) => ts < truth.startMs).map(([, v]) => v ?? 0);
    const during = ch4!.points.filter(([ts]) => ts >= truth.startMs).map(([, v]) => v ?? 0);
    expect(before.length).toBeGreaterThan(3);
    expect(Math.max(...before)).toBeLessThan(5);
    expect(Math.max(...during)).toBeGreaterThan(Math.max(...before) + 3);
    console.log(
      `red alarm ${first.alarm.detector}${first.alarm.rule ? `:${first.alarm.rule}` : ""} after ` +
        `${((first.at - truth.startMs) / 1000).toFixed(1)} s: ${first.alarm.explanation.en}`,
    );
  });

  it("refuses /live and the read API to a client without a token (secure mode)", async () => {
    expect(frames.length).toBeGreaterThan(0);
    const refused = await connectLive().then(
      (socket) => (socket.close(), 0),
      (err: unknown) => String(err),
    );
    expect(refused).toMatch(/Unexpected server response: 401/);
    for (const path of ["api/city", "api/latest", "api/gateways", "api/alarms"])
      expect((await api(path)).status, path).toBe(401);
    expect((await api("api/latest", platform.operatorTokens.viewer)).status).toBe(200);
  });

  it("refuses reads without a token and acknowledgement by a viewer token", async () => {
    const { alarm } = redLeakAlarm()!;
    expect((await api(`api/alarms/${alarm.id}`)).status).toBe(401);
    const byViewer = await api(`api/alarms/${alarm.id}/ack`, platform.operatorTokens.viewer, {
      method: "POST",
      body: "{}",
    });
    expect(byViewer.status).toBe(403);
    const seen = (await (
      await api(`api/alarms/${alarm.id}`, platform.operatorTokens.viewer)
    ).json()) as Alarm;
    expect(seen.ackedBy).toBeUndefined();
  });

  it("lets an operator acknowledge, and the alarm, its incident and the audit survive a restart", async () => {
    const { alarm } = redLeakAlarm()!;
    const ack = await api(`api/alarms/${alarm.id}/ack`, platform.operatorTokens.operator, {
      method: "POST",
      body: "{}",
    });
    expect(ack.status).toBe(200);
    const acked = (await ack.json()) as Alarm;
    expect(acked.state).toBe("ack");
    expect(acked.ackedBy).toBe("duty-operator");

    await platform.restartGateway();

    const after = await api(`api/alarms/${alarm.id}`, platform.operatorTokens.viewer);
    expect(after.status).toBe(200);
    const restored = (await after.json()) as Alarm;
    expect(restored.state).toBe("ack");
    expect(restored.ackedBy).toBe("duty-operator");
    expect(restored.evidence.length).toBeGreaterThan(0);
    expect(restored.incidentId).toBeDefined();
    const incident = (await (
      await api(`api/incidents/${restored.incidentId!}`, platform.operatorTokens.viewer)
    ).json()) as Incident;
    expect(incident.alarmIds).toContain(alarm.id);
    const audit = (await (await api("api/audit", platform.operatorTokens.viewer)).json()) as {
      entries: AuditEntry[];
    };
    expect(
      audit.entries.some((e) => e.action === "ack" && e.target === alarm.id && e.actor === "duty-operator"),
    ).toBe(true);
  });
});
