/**
 * POST /api/alarms/{id}/incident: an operator opens an incident for an alarm (or joins its
 * asset's open one). Manager level (join, idempotence, roles, audit, events) and over HTTP on a
 * real gateway (401/403/404, audit, `/live` frames, kept across a restart).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alarm, AuditEntry, Incident, LiveMessage } from "@citytwin/model";
import { harness, must, NO_DELAYS, OPERATOR, VIEWER } from "./alarm-harness";
import { GAS_DEV, GW, batch } from "./fixtures";
import { TOKENS, connectEdge, eventually, startTestGateway, type TestGateway } from "./harness";

describe("AlarmManager.openIncident", () => {
  it("opens one for an alarm below the incident level, then joins the asset's open incident", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "yellow");
    h.cond("S-2", "blue"); // same asset GPS-001
    const [a1, a2] = [h.latest("S-1"), h.latest("S-2")];
    expect(h.mgr.incidents()).toHaveLength(0);
    h.events.length = 0;

    const opened = must(await h.mgr.openIncident(a1?.id ?? "?", OPERATOR));
    expect(opened).toMatchObject({ state: "dispatch", assetId: "GPS-001", alarmIds: [a1?.id] });
    expect(h.latest("S-1")?.incidentId).toBe(opened.id);
    expect(h.ofType("incident").map((e) => e.incident.id)).toEqual([opened.id]);
    expect(h.ofType("alarm").map((e) => [e.alarm.id, e.alarm.incidentId])).toEqual([[a1?.id, opened.id]]);

    const joined = must(await h.mgr.openIncident(a2?.id ?? "?", OPERATOR));
    expect(joined.id).toBe(opened.id);
    expect(joined.alarmIds).toEqual([a1?.id, a2?.id]);
    expect(h.latest("S-2")?.incidentId).toBe(opened.id);
    const audit = h.mgr.audit().filter((e) => e.action === "incident_open");
    expect(audit).toEqual([
      expect.objectContaining({ actor: OPERATOR.name, role: "operator", target: opened.id }),
      expect.objectContaining({
        actor: OPERATOR.name,
        target: opened.id,
        detail: expect.stringMatching(/joined/),
      }),
    ]);

    // Again: unchanged, not audited twice.
    expect(must(await h.mgr.openIncident(a2?.id ?? "?", OPERATOR)).id).toBe(opened.id);
    expect(h.mgr.audit().filter((e) => e.action === "incident_open")).toHaveLength(2);
  });

  it("refuses viewers and unknown alarms", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-3", "yellow");
    const r = await h.mgr.openIncident(h.latest("S-3")?.id ?? "?", VIEWER);
    expect(r.ok ? "ok" : r.code).toBe("FORBIDDEN");
    const missing = await h.mgr.openIncident("A-nope", OPERATOR);
    expect(missing.ok ? "ok" : missing.code).toBe("NOT_FOUND");
    expect(h.mgr.incidents()).toHaveLength(0);
  });
});

describe("POST /api/alarms/{id}/incident", () => {
  let stateDir: string;
  let gw: TestGateway;
  let alarm: Alarm;

  const start = () => startTestGateway({ alarms: { stateDir, tickMs: 100 } });
  const call = (path: string, token: string | undefined, body?: unknown) =>
    fetch(new URL(path, gw.addr.url), {
      method: body === undefined ? "GET" : "POST",
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "citytwin-open-incident-"));
    gw = await start();
    const client = await connectEdge(gw);
    const t = Date.now();
    const readings = [0, 1].map((i) => ({ ts: t - 1000 + i * 1000, clock: "edge", values: { ch4: 60 } }));
    await client.publishAsync(
      `ct/v1/hefei/${GW}/telemetry`,
      JSON.stringify(batch(1, { [GAS_DEV]: readings })),
      {
        qos: 1,
      },
    );
    await client.endAsync();
    alarm = await eventually(async () => {
      const list = ((await (await call("api/alarms", TOKENS.viewer)).json()) as { alarms: Alarm[] }).alarms;
      return list.find((a) => a.level === "red" && a.incidentId !== undefined);
    });
  });

  afterAll(async () => {
    await gw?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it("401 without a token, 403 for a viewer, 404 for an unknown alarm", async () => {
    const code = async (res: Response) => [
      res.status,
      ((await res.json()) as { error: { code: string } }).error.code,
    ];
    expect(await code(await call(`api/alarms/${alarm.id}/incident`, undefined, {}))).toEqual([
      401,
      "UNAUTHENTICATED",
    ]);
    expect(await code(await call(`api/alarms/${alarm.id}/incident`, TOKENS.viewer, {}))).toEqual([
      403,
      "FORBIDDEN",
    ]);
    expect(await code(await call("api/alarms/A-nope/incident", TOKENS.operator, {}))).toEqual([
      404,
      "NOT_FOUND",
    ]);
  });

  it("answers the alarm's open incident, or opens a new one once that is closed (audited, pushed, kept)", async () => {
    const auto = alarm.incidentId ?? "?";
    const same = await call(`api/alarms/${alarm.id}/incident`, TOKENS.operator, {});
    expect(same.status).toBe(200);
    expect(((await same.json()) as Incident).id).toBe(auto);

    expect((await call(`api/alarms/${alarm.id}/ack`, TOKENS.operator, {})).status).toBe(200);
    expect((await call(`api/incidents/${auto}/close`, TOKENS.operator, { text: "false alarm" })).status).toBe(
      200,
    );

    const ws = new WebSocket(new URL(`live?token=${TOKENS.viewer}`, gw.addr.url.replace("http", "ws")));
    const frames: LiveMessage[] = [];
    ws.on("message", (d) => frames.push(JSON.parse(String(d)) as LiveMessage));
    await eventually(() => (frames.some((f) => f.type === "alarms") ? true : undefined));

    const res = await call(`api/alarms/${alarm.id}/incident`, TOKENS.admin, {});
    expect(res.status).toBe(200);
    const incident = (await res.json()) as Incident;
    expect(incident.id).not.toBe(auto);
    expect(incident).toMatchObject({ state: "dispatch", assetId: alarm.assetId, alarmIds: [alarm.id] });

    await eventually(() => {
      const inc = frames.find((f) => f.type === "incident" && f.incident.id === incident.id);
      const al = frames.find(
        (f) => f.type === "alarm" && f.alarm.id === alarm.id && f.alarm.incidentId === incident.id,
      );
      return inc !== undefined && al !== undefined ? true : undefined;
    });
    ws.close();
    const audit = ((await (await call("api/audit", TOKENS.viewer)).json()) as { entries: AuditEntry[] })
      .entries;
    expect(audit.filter((e) => e.action === "incident_open" && e.target === incident.id)).toEqual([
      expect.objectContaining({ actor: "duty-admin", role: "admin" }),
    ]);

    await gw.stop();
    gw = await start();
    const after = (await (await call(`api/alarms/${alarm.id}`, TOKENS.viewer)).json()) as Alarm;
    expect(after.incidentId).toBe(incident.id);
    const kept = (await (await call(`api/incidents/${incident.id}`, TOKENS.viewer)).json()) as Incident;
    expect(kept.state).toBe("dispatch");
  });
});
