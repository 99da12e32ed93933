/**
 * Remote commands through the gateway API on a real in-process gateway: an operator's POST
 * goes out on the gateway's cmd topic through the embedded broker, a scripted edge (MQTT.js,
 * authenticated as its gateway) answers, and the result comes back as the HTTP answer and in
 * the audit trail. Viewers are refused, unknown gateways and commands are 404, a silent edge
 * is a 504 TIMEOUT.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandSchema, type AuditEntry, type CommandResult } from "@citytwin/model";
import { GW, GW2 } from "./fixtures";
import { SECRETS, TOKENS, startTestGateway, testOperators, type TestGateway } from "./harness";

let gw: TestGateway;
let edge: MqttClient;
const received: string[] = [];

const post = (path: string, token: string, body: unknown) =>
  fetch(new URL(path, gw.addr.url), {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  gw = await startTestGateway({ operators: await testOperators() });
  edge = await mqtt.connectAsync(`mqtt://127.0.0.1:${gw.addr.mqttPort}`, {
    clientId: GW,
    username: GW,
    password: SECRETS[GW],
  });
  edge.on("message", (topic, payload) => {
    const cmd = commandSchema.parse(JSON.parse(payload.toString()));
    received.push(cmd.name);
    const result: CommandResult = { v: 1, id: cmd.id, ok: true, value: "pong", completedAt: Date.now() };
    void edge.publishAsync(`${topic}/result`, JSON.stringify(result), { qos: 1 });
  });
  await edge.subscribeAsync(`ct/v1/hefei/${GW}/cmd/+`, { qos: 1 });
});

afterAll(async () => {
  await edge?.endAsync();
  await gw?.stop();
});

describe("POST /api/gateways/{id}/commands/{name}", () => {
  it("delivers an operator's command and answers with the edge's result, audited", async () => {
    const res = await post(`api/gateways/${GW}/commands/ping`, TOKENS.operator, { args: {} });
    expect(res.status).toBe(200);
    const result = (await res.json()) as CommandResult;
    expect(result).toMatchObject({ ok: true, value: "pong" });
    expect(received).toEqual(["ping"]);
    const audit = (await (
      await fetch(new URL("api/audit", gw.addr.url), {
        headers: { authorization: `Bearer ${TOKENS.viewer}` },
      })
    ).json()) as { entries: AuditEntry[] };
    const entry = audit.entries.find((e) => e.action === "command");
    expect(entry).toMatchObject({ actor: "duty-op", role: "operator", target: GW });
    expect(entry?.detail).toContain("ping");
  });

  it("refuses viewers, unknown gateways, unknown commands and bad bodies", async () => {
    expect((await post(`api/gateways/${GW}/commands/ping`, TOKENS.viewer, {})).status).toBe(403);
    expect((await post("api/gateways/gw-nope/commands/ping", TOKENS.operator, {})).status).toBe(404);
    expect((await post(`api/gateways/${GW}/commands/reboot`, TOKENS.operator, {})).status).toBe(404);
    expect((await post(`api/gateways/${GW}/commands/ping`, TOKENS.operator, { bogus: 1 })).status).toBe(400);
    expect(received).toEqual(["ping"]);
  });

  it("answers 504 with a TIMEOUT result when the edge stays silent", async () => {
    const res = await post(`api/gateways/${GW2}/commands/ping`, TOKENS.operator, { timeoutMs: 100 });
    expect(res.status).toBe(504);
    expect(((await res.json()) as CommandResult).error?.code).toBe("TIMEOUT");
  });
});
