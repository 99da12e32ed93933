/**
 * The edge agent as a child process against real peers: mosquitto (platform and field broker)
 * and a pymodbus TCP server. Asserts schema-valid batches with contiguous seq, the retained
 * online status, pole payload fan-out, ping, the Will on SIGKILL, seq continuity across a
 * restart and the clean shutdown status.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commandResultSchema,
  gatewayStatusSchema,
  telemetryBatchSchema,
  topics,
  type GatewayStatus,
  type TelemetryBatch,
} from "@citytwin/model";
import { startTsx, stopAll, type Child } from "../../test/support/child";
import { startMosquitto } from "../../test/support/mosquitto";
import { startPymodbus } from "../../test/support/pymodbus";
import { untilWithin } from "../../test/support/wait";

const ROOT = join(import.meta.dirname, "..", "..");
const MAIN = join(ROOT, "edge", "src", "main.ts");
const TENANT = "hefei";
const GW = "gw-test-01";
const POLE_TOPIC = "poles/340111-SPL-00012/data";

let dir: string;
let brokerPort: number;
let modbusPort: number;
let sub: MqttClient;
const batches: TelemetryBatch[] = [];
const statuses: GatewayStatus[] = [];
const results: unknown[] = [];

function config(): string {
  return `version: 1
gateway:
  tenant: ${TENANT}
  id: ${GW}
mqtt:
  url: mqtt://127.0.0.1:${brokerPort}
  keepaliveS: 10
publish:
  maxBatchReadings: 50
  maxDelayMs: 100
stateDir: state
profileDirs:
  - ${join(ROOT, "edge", "profiles")}
devices:
  - id: 340111-GVC-00007-D01
    driver: modbus-tcp
    profile: ct-gd100-methane
    host: 127.0.0.1
    port: ${modbusPort}
    unitId: 1
    pollIntervalMs: 200
    timeoutMs: 500
  - id: 340111-WM-00003-D01
    driver: modbus-tcp
    profile: ct-wm300-water-monitor
    host: 127.0.0.1
    port: ${modbusPort}
    unitId: 2
    pollIntervalMs: 200
    timeoutMs: 500
  - id: 340111-SPL-00012-D01
    driver: mqtt-json
    profile: ct-pole-lamp
    broker: mqtt://127.0.0.1:${brokerPort}
    topic: ${POLE_TOPIC}
  - id: 340111-SPL-00012-D02
    driver: mqtt-json
    profile: ct-pole-env
    broker: mqtt://127.0.0.1:${brokerPort}
    topic: ${POLE_TOPIC}
`;
}

const startAgent = (): Child =>
  startTsx("edge-agent", MAIN, ["--config", join(dir, "edge.yaml")], { cwd: ROOT });

const until = untilWithin(20_000);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ct-edge-agent-"));
  brokerPort = (await startMosquitto(dir)).port;
  modbusPort = (await startPymodbus()).port;
  writeFileSync(join(dir, "edge.yaml"), config());
  sub = await connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { clientId: "test-sub", clean: true });
  sub.on("message", (topic, payload) => {
    if (payload.length === 0) return;
    const msg: unknown = JSON.parse(payload.toString());
    if (topic === topics.telemetry(TENANT, GW)) batches.push(telemetryBatchSchema.parse(msg));
    else if (topic === topics.status(TENANT, GW)) statuses.push(gatewayStatusSchema.parse(msg));
    else if (topic.endsWith("/result")) results.push(commandResultSchema.parse(msg));
  });
  await sub.subscribeAsync(`ct/v1/${TENANT}/${GW}/#`, { qos: 1 });
});

afterAll(async () => {
  await sub?.endAsync();
  await stopAll();
});

describe("edge agent against mosquitto + pymodbus", () => {
  it("publishes schema-valid batches with contiguous seq, status, fan-out, ping, Will, restart and shutdown", async () => {
    let agent = startAgent();
    const ready = JSON.parse(await agent.waitFor(/"msg":"ready"/, 30_000)) as Record<string, unknown>;
    expect(ready).toMatchObject({ gatewayId: GW, devices: 4 });

    const online = await until(() => statuses.find((s) => s.state === "online"));
    expect(online.reason).toBe("connected");
    expect(online.config.hash).toMatch(/^sha256:[0-9a-f]{64}$/);

    // Pole payload: one message fans out to the lamp controller (D01) and environment sensor (D02).
    const pole = {
      poleId: "340111-SPL-00012",
      ts: 1763700000000,
      lamp: { on: true, power: 120.5, dimming: 80 },
      env: { pm25: 35, noiseLAeq: 55.2, temperature: 18.3 },
    };
    await until(() => (statuses.at(-1)?.devices?.["340111-SPL-00012-D01"] === "ok" ? true : undefined));
    await sub.publishAsync(POLE_TOPIC, JSON.stringify(pole), { qos: 1 });
    await sub.publishAsync(POLE_TOPIC, "{not json", { qos: 1 });

    const find = (dev: string) => batches.flatMap((b) => b.devices[dev] ?? []);
    const lamp = await until(() => find("340111-SPL-00012-D01")[0]);
    expect(lamp).toEqual({
      ts: 1763700000000,
      clock: "device",
      values: { lamp_power: 120.5, lamp_dimming: 80 },
    });
    const env = await until(() => find("340111-SPL-00012-D02")[0]);
    expect(env).toEqual({
      ts: 1763700000000,
      clock: "device",
      values: { pm25: 35, noise_laeq: 55.2, temperature: 18.3 },
    });

    // Modbus: unit 1 good, unit 2 (exception 2) bad with null values.
    const ch4 = await until(() => find("340111-GVC-00007-D01")[0]);
    expect(ch4.clock).toBe("edge");
    expect(ch4.values.ch4).toBe(Math.fround(123.456));
    expect(ch4.q).toBeUndefined();
    const wm = await until(() => find("340111-WM-00003-D01")[0]);
    expect(wm.values).toEqual({ water_pressure: null, water_flow: null });
    expect(wm.q).toEqual({ water_pressure: "bad", water_flow: "bad" });
    const withHealth = await until(() =>
      statuses.find(
        (s) => s.devices?.["340111-WM-00003-D01"] === "down" && s.devices["340111-GVC-00007-D01"] === "ok",
      ),
    );
    expect(withHealth.state).toBe("online");

    // ping → result on cmd/ping/result.
    const now = Date.now();
    await sub.publishAsync(
      topics.cmd(TENANT, GW, "ping"),
      JSON.stringify({ v: 1, id: "c-1", name: "ping", issuedAt: now, issuedBy: "test", timeoutMs: 10_000 }),
      { qos: 1 },
    );
    await sub.publishAsync(
      topics.cmd(TENANT, GW, "write"),
      JSON.stringify({ v: 1, id: "c-2", name: "write", issuedAt: now, issuedBy: "test", timeoutMs: 10_000 }),
      { qos: 1 },
    );
    await sub.publishAsync(topics.cmd(TENANT, GW, "ping"), JSON.stringify({ id: "c-3" }), { qos: 1 });
    await until(() => (results.length >= 3 ? true : undefined));
    expect(results).toContainEqual(expect.objectContaining({ id: "c-1", ok: true, value: "pong" }));
    expect(results).toContainEqual(
      expect.objectContaining({
        id: "c-2",
        ok: false,
        error: expect.objectContaining({ code: "UNSUPPORTED" }),
      }),
    );
    expect(results).toContainEqual(
      expect.objectContaining({
        id: "c-3",
        ok: false,
        error: expect.objectContaining({ code: "INVALID_COMMAND" }),
      }),
    );

    // seq contiguous from 1 within one epoch.
    await until(() => (batches.length >= 5 ? true : undefined));
    const epoch = batches[0]?.epoch;
    expect(batches.every((b) => b.epoch === epoch)).toBe(true);
    expect(batches.map((b) => b.seq)).toEqual(batches.map((_, i) => i + 1));

    // SIGKILL → the broker publishes the Will: retained offline/connection-lost.
    const beforeKill = statuses.length;
    await agent.stop("SIGKILL");
    const will = await until(() => statuses.slice(beforeKill).find((s) => s.state === "offline"));
    expect(will).toMatchObject({ state: "offline", reason: "connection-lost", epoch });
    expect(will.devices).toBeUndefined();

    // Restart: same epoch. The disk queue first resends batches whose PUBACK was not yet durably
    // recorded (QoS 1 duplicates the gateway drops by seq), then the stream continues without a hole.
    const lastSeq = Math.max(...batches.map((b) => b.seq));
    const countBefore = batches.length;
    agent = startAgent();
    await agent.waitFor(/"msg":"ready"/, 30_000);
    const next = await until(() => batches.slice(countBefore).find((b) => b.seq > lastSeq));
    expect(next.epoch).toBe(epoch);
    expect(next.seq).toBe(lastSeq + 1);

    // Retained status seen by a fresh subscriber is online again.
    const fresh = await connectAsync(`mqtt://127.0.0.1:${brokerPort}`, {
      clientId: "test-fresh",
      clean: true,
    });
    const retained = await new Promise<GatewayStatus>((resolve) => {
      fresh.on("message", (_t, p, packet) => {
        if (packet.retain) resolve(gatewayStatusSchema.parse(JSON.parse(p.toString())));
      });
      void fresh.subscribeAsync(topics.status(TENANT, GW), { qos: 1 });
    });
    await fresh.endAsync();
    expect(retained.state).toBe("online");

    // SIGTERM → offline/shutdown, exit 0.
    const beforeTerm = statuses.length;
    const exited = new Promise<number | null>((resolve) => agent.proc.once("exit", (code) => resolve(code)));
    agent.proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    const bye = await until(() => statuses.slice(beforeTerm).find((s) => s.state === "offline"));
    expect(bye.reason).toBe("shutdown");
    // After the restart, seq is still contiguous.
    const second = batches.slice(countBefore).map((b) => b.seq);
    expect(second).toEqual(second.map((_, i) => (second[0] ?? 0) + i));
  });

  it("exits 2 with a clear message on a config error", async () => {
    writeFileSync(
      join(dir, "bad.yaml"),
      config().replace(`port: ${modbusPort}\n    unitId: 1`, "port: 70000\n    unitId: 1"),
    );
    const child = startTsx("edge-bad", MAIN, ["--config", join(dir, "bad.yaml")], { cwd: ROOT });
    const code = await new Promise<number | null>((resolve) => child.proc.once("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(child.output()).toMatch(/bad\.yaml: devices\[0\]\.port \(line 19:11\): /);
  });
});
