/**
 * Remote commands end to end with real peers: an in-process EdgeAgent against mosquitto
 * (platform and field broker), a pymodbus TCP server and the node-opcua test server. Commands
 * go in on `…/cmd/{name}`, results come back on `…/cmd/{name}/result`; writes are read back
 * through the agent's own telemetry (Modbus polling, OPC UA subscription).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  commandResultSchema,
  telemetryBatchSchema,
  topics,
  type CommandResult,
  type TelemetryBatch,
} from "@citytwin/model";
import { EdgeAgent } from "../src/agent";
import { loadEdgeConfig } from "../src/config";
import { stopAll } from "../../test/support/child";
import { freePorts } from "../../test/support/free-port";
import { startTestServer, type TestServer } from "./fixtures/opcua-server";
import { untilWithin } from "../../test/support/wait";
import { startMosquitto } from "../../test/support/mosquitto";
import { startPymodbus } from "../../test/support/pymodbus";

const ROOT = join(import.meta.dirname, "..", "..");
const TENANT = "hefei";
const GW = "gw-cmd-01";
const GAS = "340111-GVC-00007-D01";
const GHOST = "340111-GVC-00008-D01";
const PLC = "340111-PMP-00001-D01";
const LAMP = "340111-SPL-00012-D01";
const MUTE_LAMP = "340111-SPL-00013-D01";

let dir: string;
let agent: EdgeAgent;
let sub: MqttClient;
let opcua: TestServer;
/** The OPC UA server's values: a Write lands here. */
const plcValues: Record<string, number> = { temp_1: 20 };
const batches: TelemetryBatch[] = [];
const results: { name: string; result: CommandResult }[] = [];

const until = untilWithin(15_000);

let n = 0;
async function command(
  name: string,
  target: Record<string, string> | undefined,
  args: Record<string, unknown>,
  timeoutMs?: number,
): Promise<CommandResult> {
  const id = `c-${++n}`;
  const body = {
    v: 1,
    id,
    name,
    issuedAt: Date.now(),
    issuedBy: "test",
    args,
    ...(target === undefined ? {} : { target }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
  await sub.publishAsync(topics.cmd(TENANT, GW, name), JSON.stringify(body), { qos: 1 });
  const got = await until(() => results.find((r) => r.result.id === id));
  expect(got.name).toBe(name);
  return got.result;
}

const values = (dev: string, key: string) =>
  batches.flatMap((b) => (b.devices[dev] ?? []).map((s) => s.values[key]));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ct-edge-cmd-"));
  const [brokerPort, modbusPort, opcuaPort] = (await freePorts(3)) as [number, number, number];
  await startMosquitto(dir, { port: brokerPort });
  await startPymodbus(modbusPort);
  opcua = await startTestServer({ port: opcuaPort, pkiDir: join(dir, "pki"), values: plcValues });
  const url = `mqtt://127.0.0.1:${brokerPort}`;
  const modbusDev = (id: string, unitId: number) => `  - id: ${id}
    driver: modbus-tcp
    profile: ct-gd100-methane
    host: 127.0.0.1
    port: ${modbusPort}
    unitId: ${unitId}
    pollIntervalMs: 100
    timeoutMs: 300
`;
  const pole = (id: string, asset: string) => `  - id: ${id}
    driver: mqtt-json
    profile: ct-pole-lamp
    broker: ${url}
    topic: poles/${asset}/data
`;
  const yaml = `version: 1
gateway: { tenant: ${TENANT}, id: ${GW} }
mqtt: { url: "${url}", keepaliveS: 10 }
publish: { maxBatchReadings: 50, maxDelayMs: 50, queue: { kind: memory } }
stateDir: state
profileDirs: ["${join(ROOT, "edge", "profiles")}"]
devices:
${modbusDev(GAS, 1)}${modbusDev(GHOST, 3)}  - id: ${PLC}
    driver: opcua
    endpoint: opc.tcp://127.0.0.1:${opcuaPort}
    securityMode: None
    securityPolicy: None
    publishingIntervalMs: 100
    samplingIntervalMs: 50
    points:
      - { key: temp_1, browsePath: "/Objects/1:Plant/1:Line1/1:temp_1" }
${pole(LAMP, "340111-SPL-00012")}${pole(MUTE_LAMP, "340111-SPL-00013")}`;
  const file = join(dir, "edge.yaml");
  writeFileSync(file, yaml);
  const config = loadEdgeConfig(yaml, file, {});
  sub = await connectAsync(url, { clientId: "test-platform", clean: true });
  // A fake pole controller: applies a lamp command and reports the new state on its data topic.
  sub.on("message", (topic, payload) => {
    if (topic === "poles/340111-SPL-00012/cmd") {
      const cmd = JSON.parse(payload.toString()) as { lamp: { on?: boolean; dimming?: number } };
      const lamp = { on: cmd.lamp.on ?? true, dimming: cmd.lamp.dimming ?? 100, power: 10 };
      void sub.publishAsync("poles/340111-SPL-00012/data", JSON.stringify({ ts: Date.now(), lamp }), {
        qos: 1,
      });
      return;
    }
    const parsed = topics.cmdResult(TENANT, GW, "x").replace(/x\/result$/, "");
    if (topic === topics.telemetry(TENANT, GW))
      batches.push(telemetryBatchSchema.parse(JSON.parse(payload.toString())));
    else if (topic.startsWith(parsed) && topic.endsWith("/result")) {
      const name = topic.slice(parsed.length, -"/result".length);
      results.push({ name, result: commandResultSchema.parse(JSON.parse(payload.toString())) });
    }
  });
  await sub.subscribeAsync([`ct/v1/${TENANT}/${GW}/#`, "poles/340111-SPL-00012/cmd"], { qos: 1 });
  agent = new EdgeAgent({ config, logger: pino({ level: "silent" }) });
  await agent.start();
  await agent.connected();
  await until(() => (values(PLC, "temp_1").includes(20) ? true : undefined));
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await sub?.endAsync();
  await opcua?.stop();
  await stopAll();
});

describe("edge commands (mosquitto + pymodbus + node-opcua)", () => {
  it("modbus-write writes a register (read back by polling) and a raw coil; errors are coded", async () => {
    const ok = await command("modbus-write", { deviceId: GAS, key: "ch4" }, { value: 42.5 });
    expect(ok).toMatchObject({ ok: true, value: "fc16@0" });
    await until(() => (values(GAS, "ch4").includes(42.5) ? true : undefined));
    expect(await command("modbus-write", { deviceId: GAS }, { address: "00002", value: true })).toMatchObject(
      {
        ok: true,
        value: "fc5@1",
      },
    );
    const code = (r: CommandResult) => r.error?.code;
    expect(code(await command("modbus-write", { deviceId: GAS, key: "ch4" }, {}))).toBe("INVALID_ARGS");
    expect(code(await command("modbus-write", { deviceId: GAS, key: "nope" }, { value: 1 }))).toBe(
      "INVALID_ARGS",
    );
    expect(code(await command("modbus-write", { deviceId: GAS }, { address: "30001", value: 1 }))).toBe(
      "INVALID_ARGS",
    );
    expect(
      code(await command("modbus-write", { deviceId: "340111-GVC-00099-D01", key: "ch4" }, { value: 1 })),
    ).toBe("UNKNOWN_DEVICE");
    expect(code(await command("modbus-write", { deviceId: PLC, key: "ch4" }, { value: 1 }))).toBe(
      "UNKNOWN_DEVICE",
    );
    // Unit 3 does not answer: the device timeout (capped by the command's) gives TIMEOUT.
    const t0 = Date.now();
    expect(code(await command("modbus-write", { deviceId: GHOST, key: "ch4" }, { value: 1 }, 1000))).toBe(
      "TIMEOUT",
    );
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(code(await command("lamp", { deviceId: LAMP }, {}))).toBe("UNSUPPORTED");
  });

  it("opcua-write writes by key, browsePath and nodeId (read back by the subscription)", async () => {
    expect(await command("opcua-write", { deviceId: PLC, key: "temp_1" }, { value: 31.5 })).toMatchObject({
      ok: true,
      value: 31.5,
    });
    await until(() => (values(PLC, "temp_1").includes(31.5) ? true : undefined));
    const bp = await command(
      "opcua-write",
      { deviceId: PLC },
      {
        browsePath: "/Objects/1:Plant/1:Line1/1:pressure_1",
        value: 2.5,
      },
    );
    expect(bp.ok).toBe(true);
    const byId = await command(
      "opcua-write",
      { deviceId: PLC },
      { nodeId: "ns=1;s=level_1", value: 7, dataType: "Double" },
    );
    expect(byId.ok).toBe(true);
    expect(plcValues).toMatchObject({ temp_1: 31.5, pressure_1: 2.5, level_1: 7 });
    const code = (r: CommandResult) => r.error?.code;
    expect(code(await command("opcua-write", { deviceId: PLC, key: "temp_1" }, { value: true }))).toBe(
      "INVALID_ARGS",
    );
    expect(
      code(
        await command(
          "opcua-write",
          { deviceId: PLC },
          { nodeId: "ns=1;s=nope", value: 1, dataType: "Double" },
        ),
      ),
    ).toBe("DEVICE_ERROR");
    expect(code(await command("opcua-write", { deviceId: PLC }, { value: 1 }))).toBe("INVALID_ARGS");
  });

  it("lamp-set is confirmed by the pole's next reported state, or times out", async () => {
    await until(() => (agent.stats().devices[LAMP] === "ok" ? true : undefined));
    const ok = await command("lamp-set", { deviceId: LAMP }, { on: true, dimming: 40 });
    expect(ok).toMatchObject({ ok: true });
    await until(() => (values(LAMP, "lamp_dimming").includes(40) ? true : undefined));
    const mute = await command("lamp-set", { deviceId: MUTE_LAMP }, { dimming: 10 }, 500);
    expect(mute.error?.code).toBe("TIMEOUT");
    const bad = await command("lamp-set", { deviceId: LAMP }, { dimming: 150 });
    expect(bad.error?.code).toBe("INVALID_ARGS");
  });
});
