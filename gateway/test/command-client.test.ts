/**
 * CommandClient against mosquitto and a scripted edge that answers ping: the result arrives
 * through the broker, a silent gateway yields the client's own TIMEOUT.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { topics } from "@citytwin/model";
import { CommandClient } from "../src/commands/client";
import { stopAll } from "../../test/support/child";
import { startMosquitto } from "../../test/support/mosquitto";

let platform: MqttClient;
let edge: MqttClient;
let client: CommandClient;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "ct-gw-cmd-"));
  const { url } = await startMosquitto(dir);
  platform = await connectAsync(url, { clientId: "platform", clean: true });
  client = new CommandClient(
    "hefei",
    (t, p, qos) => void platform.publishAsync(t, p, { qos }),
    Date.now,
    100,
  );
  platform.on("message", (t, p) => client.onMessage(t, p));
  await platform.subscribeAsync("ct/v1/hefei/+/cmd/+/result", { qos: 1 });
  edge = await connectAsync(url, { clientId: "edge", clean: true });
  edge.on("message", (_t, p) => {
    const cmd = JSON.parse(p.toString()) as { id: string };
    const result = { v: 1, id: cmd.id, ok: true, value: "pong", completedAt: Date.now() };
    void edge.publishAsync(topics.cmdResult("hefei", "gw-1", "ping"), JSON.stringify(result), { qos: 1 });
  });
  await edge.subscribeAsync(topics.cmdFilter("hefei", "gw-1"), { qos: 1 });
});

afterAll(async () => {
  await platform?.endAsync();
  await edge?.endAsync();
  await stopAll();
});

describe("CommandClient (mosquitto)", () => {
  it("resolves the edge's result, and its own TIMEOUT for a silent gateway", async () => {
    expect(await client.send("gw-1", "ping")).toMatchObject({ ok: true, value: "pong" });
    const silent = await client.send("gw-2", "ping", { timeoutMs: 200 });
    expect(silent).toMatchObject({ ok: false, error: { code: "TIMEOUT" } });
    expect(client.open).toBe(0);
  });
});
