/**
 * The agent in process against real mosquitto + the pymodbus fixture: report by exception
 * between driver and batcher, and the periodic health on the retained status topic.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayStatusSchema, telemetryBatchSchema, topics, type GatewayStatus } from "@citytwin/model";
import { EdgeAgent } from "../src/agent";
import { loadEdgeConfig } from "../src/config/load";
import { MemoryOutboundQueue } from "../src/publish/outbound-queue";
import { stopAll } from "../../test/support/child";
import { startMosquitto } from "../../test/support/mosquitto";
import { startPymodbus } from "../../test/support/pymodbus";

const TENANT = "hefei";
const GW = "gw-health-01";
const DEV = "340111-GPS-00001-D01";

let dir: string;
let brokerPort: number;
let modbusPort: number;
let sub: MqttClient;
const statuses: GatewayStatus[] = [];
const values: { key: string; value: unknown }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ct-edge-health-"));
  brokerPort = (await startMosquitto(dir)).port;
  modbusPort = (await startPymodbus()).port;
  sub = await connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { clientId: "health-sub", clean: true });
  sub.on("message", (topic, payload) => {
    if (payload.length === 0) return;
    const msg: unknown = JSON.parse(payload.toString());
    if (topic === topics.status(TENANT, GW)) statuses.push(gatewayStatusSchema.parse(msg));
    if (topic === topics.telemetry(TENANT, GW)) {
      for (const e of telemetryBatchSchema.parse(msg).devices[DEV] ?? [])
        for (const [key, value] of Object.entries(e.values)) values.push({ key, value });
    }
  });
  await sub.subscribeAsync(`ct/v1/${TENANT}/${GW}/#`, { qos: 1 });
});

afterAll(async () => {
  await sub?.endAsync();
  await stopAll();
});

const yaml = () => `version: 1
gateway: { tenant: ${TENANT}, id: ${GW} }
mqtt: { url: "mqtt://127.0.0.1:${brokerPort}" }
publish: { maxBatchReadings: 100, maxDelayMs: 50, statusIntervalMs: 200, queue: { kind: memory } }
stateDir: state
profiles:
  - id: t-gp
    driver: modbus
    points:
      - { key: gas_pressure, register: input, address: 0, scale: 0.1 }
      - { key: counter, register: holding, address: 102, type: UINT32 }
devices:
  - id: ${DEV}
    driver: modbus-tcp
    profile: t-gp
    host: 127.0.0.1
    port: ${modbusPort}
    pollIntervalMs: 100
    report:
      gas_pressure: { deadband: 1, maxIntervalMs: 700 }
`;

describe("edge agent health and report by exception", () => {
  it("suppresses unchanged points between heartbeats and publishes health every statusIntervalMs", async () => {
    const config = loadEdgeConfig(yaml(), join(dir, "edge.yaml"), {});
    const agent = new EdgeAgent({
      config,
      logger: pino({ level: "silent" }),
      queue: new MemoryOutboundQueue(),
    });
    await agent.start();
    await agent.connected();
    await new Promise((r) => setTimeout(r, 1600));
    const stats = agent.stats();
    await agent.stop();

    const pressure = values.filter((v) => v.key === "gas_pressure");
    const counter = values.filter((v) => v.key === "counter");
    // First reading plus heartbeats at ≥ 700 ms: 2–3 in 1.6 s; the pass-through point every poll.
    expect(pressure.length).toBeGreaterThanOrEqual(2);
    expect(pressure.length).toBeLessThanOrEqual(3);
    expect(pressure[0]?.value).toBeCloseTo(123.4, 5);
    expect(counter.length).toBeGreaterThanOrEqual(10);
    expect(stats.rbe.suppressed).toBeGreaterThanOrEqual(10);
    expect(stats.rbe.passed + stats.rbe.suppressed).toBe(stats.rbe.in);

    const online = statuses.filter((s) => s.state === "online" && s.health !== undefined);
    expect(online.length).toBeGreaterThanOrEqual(5); // ~8 periodic refreshes in 1.6 s
    const last = online[online.length - 1]!.health!;
    const d = last.devices[DEV]!;
    expect(d.polls).toBeGreaterThanOrEqual(10);
    expect(d.failures).toBe(0);
    expect(d.successRatio).toBe(1);
    expect(d.latencyMsP50).toBeGreaterThanOrEqual(0);
    expect(d.latencyMsP95).toBeGreaterThanOrEqual(d.latencyMsP50!);
    expect(d.lastOkAt).toBeGreaterThan(Date.now() - 10_000);
    expect(d.suppressed).toBeGreaterThan(0);
    expect(last.memory.rssBytes).toBeGreaterThan(last.memory.heapUsedBytes);
    expect(last.queueDepth).toBeGreaterThanOrEqual(0);
    expect(last.rbe?.suppressed).toBeGreaterThan(0);
    // Every status parsed with the schema, the clean shutdown one included.
    expect(statuses.some((s) => s.state === "offline" && s.reason === "shutdown")).toBe(true);
  }, 30_000);
});
