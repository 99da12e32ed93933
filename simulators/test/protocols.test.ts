/**
 * Integration: the protocol simulators on loopback, read by independent clients: the mbpoll
 * CLI (Modbus), node-opcua's client (OPC UA) and mosquitto_sub (MQTT). Time is frozen so the
 * values read can be compared exactly with the signal engine's.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pino } from "pino";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgeConfigSchema } from "@citytwin/edge";
import { freePortBlock, freePorts } from "../../test/support/free-port";
import { generateCity } from "../src/city";
import { startSimulators, type RunningSimulators } from "../src/run";

const run = promisify(execFile);
const city = generateCity({ seed: 42 });
const T0 = Date.UTC(2025, 4, 31, 13, 0, 0); // 21:00 Beijing time: lamps on
const clock = { startMs: T0, timeScale: 0, now: () => T0 };
let sims: RunningSimulators;
let dir: string;
let ports: number[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ct-sim-"));
  ports = await freePorts(3);
  const [opcuaPort, brokerPort] = ports as [number, number, number];
  const modbusPort = await freePortBlock(2); // one port per gateway
  sims = await startSimulators({
    city,
    outDir: dir,
    host: "127.0.0.1",
    modbusPort,
    opcuaPort,
    fieldBrokerPort: brokerPort,
    mqttUrl: "mqtt://127.0.0.1:1883",
    clock,
    logger: pino({ level: "silent" }),
    poleIntervalMs: 300,
  });
});

afterAll(async () => {
  await sims?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Runs mbpoll once; returns the values printed as "[ref]: value". */
async function mbpoll(port: number, unit: number, args: string[]): Promise<number[]> {
  const { stdout } = await run("mbpoll", [
    "-m",
    "tcp",
    "-p",
    String(port),
    "-a",
    String(unit),
    "-1",
    "-o",
    "2",
    ...args,
    "127.0.0.1",
  ]);
  return [...stdout.matchAll(/^\[\d+\]:\s+(-?[\d.e+-]+)/gm)].map((m) => Number(m[1]));
}

function unitOf(deviceId: string): { port: number; unit: number } {
  for (const ep of sims.modbus) {
    const u = ep.units.find((x) => x.deviceId === deviceId);
    if (u !== undefined) return { port: ep.port, unit: u.unitId };
  }
  throw new Error(`no unit for ${deviceId}`);
}

function relClose(actual: number | undefined, expected: number, rel = 1e-5): void {
  expect(actual).toBeDefined();
  expect(Math.abs((actual ?? NaN) - expected)).toBeLessThanOrEqual(Math.abs(expected) * rel + 1e-9);
}

describe("Modbus TCP simulator (read with mbpoll)", () => {
  it("puts each gateway on its own port with unit ids from 1", () => {
    expect(sims.modbus.map((e) => e.gatewayId)).toEqual(["gw-binhu-01", "gw-binhu-02"]);
    expect(sims.modbus[1]?.port).toBe((sims.modbus[0]?.port ?? 0) + 1);
    for (const ep of sims.modbus)
      expect(ep.units.map((u) => u.unitId)).toEqual(ep.units.map((_, i) => i + 1));
  });

  it("serves CT-GD100 methane as FLOAT32 ABCD at 40001", async () => {
    const device = city.devices.find((d) => d.model === "CT-GD100" && d.gatewayId === "gw-binhu-02");
    const { port, unit } = unitOf(device?.id ?? "");
    const [v] = await mbpoll(port, unit, ["-t", "4:float", "-B", "-r", "1"]);
    relClose(v, sims.engine.value(`${device?.id}.ch4`, T0));
  });

  it("serves CT-WM300 pressure as FLOAT32 CDAB at holding 100 and flow as UINT32 ×0.01 at 102", async () => {
    const device = city.devices.find((d) => d.model === "CT-WM300");
    const { port, unit } = unitOf(device?.id ?? "");
    const [pressure] = await mbpoll(port, unit, ["-t", "4:float", "-0", "-r", "100"]);
    relClose(pressure, sims.engine.value(`${device?.id}.water_pressure`, T0));
    const [flowRaw] = await mbpoll(port, unit, ["-t", "4:int", "-B", "-0", "-r", "102"]);
    expect(flowRaw).toBe(Math.round(sims.engine.value(`${device?.id}.water_flow`, T0) / 0.01));
  });

  it("serves CT-DL400 level as INT16 BADC mm at 30011 and CT-GP200 as UINT16 0.1 kPa at input 0", async () => {
    const dl = city.devices.find((d) => d.model === "CT-DL400");
    const a = unitOf(dl?.id ?? "");
    const [raw] = await mbpoll(a.port, a.unit, ["-t", "3", "-r", "11"]);
    const word = raw ?? 0;
    const swapped = ((word & 0xff) << 8) | (word >> 8);
    const mm = swapped >= 0x8000 ? swapped - 0x10000 : swapped;
    expect(mm).toBe(Math.round(sims.engine.value(`${dl?.id}.water_level`, T0) * 1000));
    const gp = city.devices.find((d) => d.model === "CT-GP200");
    const b = unitOf(gp?.id ?? "");
    const [tenths] = await mbpoll(b.port, b.unit, ["-t", "3", "-0", "-r", "0"]);
    expect(tenths).toBe(Math.round(sims.engine.value(`${gp?.id}.gas_pressure`, T0) * 10));
  });

  it("agrees with an independent pymodbus client decoding CDAB floats and ABCD uint32", async () => {
    const device = city.devices.find((d) => d.model === "CT-WM300" && d.gatewayId === "gw-binhu-02");
    const { port, unit } = unitOf(device?.id ?? "");
    const script = [
      "import struct, sys",
      "from pymodbus.client import ModbusTcpClient",
      "c = ModbusTcpClient('127.0.0.1', port=int(sys.argv[1]))",
      "c.connect()",
      "rr = c.read_holding_registers(100, 4, slave=int(sys.argv[2]))",
      "r = rr.registers",
      "p = struct.unpack('>f', struct.pack('>HH', r[1], r[0]))[0]",
      "f = struct.unpack('>I', struct.pack('>HH', r[2], r[3]))[0] * 0.01",
      "print(repr(p), repr(f))",
      "c.close()",
    ].join("\n");
    // Debian's python3-pymodbus (the pyenv python on PATH may lack it).
    const { stdout } = await run("/usr/bin/python3", ["-c", script, String(port), String(unit)]);
    const [pressure, flow] = stdout.trim().split(" ").map(Number);
    relClose(pressure, sims.engine.value(`${device?.id}.water_pressure`, T0));
    expect(flow).toBeCloseTo(sims.engine.value(`${device?.id}.water_flow`, T0), 2);
  });

  it("answers exception 02 for an unknown unit and an unmapped address", async () => {
    const port = sims.modbus[0]?.port ?? 0;
    const units = sims.modbus[0]?.units.length ?? 0;
    await expect(mbpoll(port, units + 1, ["-t", "4", "-r", "1"])).rejects.toThrow(/Illegal data address/i);
    const gd = city.devices.find((d) => d.model === "CT-GD100" && d.gatewayId === "gw-binhu-01");
    const { unit } = unitOf(gd?.id ?? "");
    await expect(mbpoll(port, unit, ["-t", "4", "-r", "1", "-c", "3"])).rejects.toThrow(
      /Illegal data address/i,
    );
  });
});

describe("OPC UA simulator (node-opcua client)", () => {
  it("exposes Objects/BridgeSHM/<bridge>/Span1..3 with Double variables at ns=1;s=<sensor id>", async () => {
    const ua = await import("node-opcua");
    const client = ua.OPCUAClient.create({
      endpointMustExist: false,
      connectionStrategy: { maxRetry: 2, initialDelay: 200 },
      securityMode: ua.MessageSecurityMode.None,
      securityPolicy: ua.SecurityPolicy.None,
      clientCertificateManager: new ua.OPCUACertificateManager({ rootFolder: join(dir, "pki", "client") }),
    });
    await client.connect(sims.opcuaEndpoint ?? "");
    try {
      const session = await client.createSession();
      const objects = await session.browse("ns=0;i=85");
      const shm = objects.references?.find((r) => r.browseName.name === "BridgeSHM");
      expect(shm?.browseName.namespaceIndex).toBe(1);
      const bridges = await session.browse(shm?.nodeId.toString() ?? "");
      const brg = city.assets.find((a) => a.type === "BRG");
      const bridgeRef = bridges.references?.find((r) => r.browseName.name === brg?.id);
      expect(bridgeRef).toBeDefined();
      const children = await session.browse(bridgeRef?.nodeId.toString() ?? "");
      const names = (children.references ?? []).map((r) => r.browseName.name);
      expect(names).toEqual(expect.arrayContaining(["name", "owner", "Span1", "Span2", "Span3"]));
      const span1 = children.references?.find((r) => r.browseName.name === "Span1");
      const vars = await session.browse(span1?.nodeId.toString() ?? "");
      expect((vars.references ?? []).map((r) => r.browseName.name)).toEqual(
        expect.arrayContaining(["strain_1", "deflection_1"]),
      );

      const sensorId = `${brg?.id}-D01.strain_1`;
      const dv = await session.read({ nodeId: `ns=1;s=${sensorId}`, attributeId: ua.AttributeIds.Value });
      expect(dv.statusCode.isGood()).toBe(true);
      expect(dv.value.dataType).toBe(ua.DataType.Double);
      expect(dv.value.value).toBe(sims.engine.value(sensorId, T0));
      expect(dv.sourceTimestamp?.getTime()).toBe(T0);
      const owner = await session.read({
        nodeId: `ns=1;s=${brg?.id}.owner`,
        attributeId: ua.AttributeIds.Value,
      });
      expect(String(owner.value.value)).toContain(brg?.owner.org ?? "?");
      await session.close();
    } finally {
      await client.disconnect();
    }
  });
});

describe("smart poles on the field broker (mosquitto_sub)", () => {
  it("publish the vendor JSON on poles/{poleId}/data", async () => {
    const port = ports[1] ?? 0;
    const { stdout } = await run("mosquitto_sub", [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-t",
      "poles/+/data",
      "-v",
      "-C",
      "40",
      "-W",
      "15",
    ]);
    const msgs = stdout
      .trim()
      .split("\n")
      .map((line) => {
        const space = line.indexOf(" ");
        return {
          topic: line.slice(0, space),
          body: JSON.parse(line.slice(space + 1)) as Record<string, unknown>,
        };
      });
    expect(msgs.length).toBe(40);
    let withEnv = 0;
    for (const { topic, body } of msgs) {
      const poleId = String(body.poleId);
      expect(topic).toBe(`poles/${poleId}/data`);
      expect(body.ts).toBe(T0);
      const lamp = body.lamp as { on: boolean; power: number; dimming: number };
      expect(lamp.on).toBe(true);
      expect(lamp.dimming).toBe(Math.round(sims.engine.value(`${poleId}-D01.lamp_dimming`, T0)));
      expect(lamp.power).toBeCloseTo(sims.engine.value(`${poleId}-D01.lamp_power`, T0), 1);
      const hasD02 = city.devices.some((d) => d.id === `${poleId}-D02`);
      expect(body.env !== undefined).toBe(hasD02);
      if (body.env !== undefined) {
        withEnv++;
        const env = body.env as { pm25: number; noiseLAeq: number; temperature: number };
        expect(env.pm25).toBe(Math.round(sims.engine.value(`${poleId}-D02.pm25`, T0)));
        expect(env.noiseLAeq).toBeCloseTo(sims.engine.value(`${poleId}-D02.noise_laeq`, T0), 1);
        expect(env.temperature).toBeCloseTo(sims.engine.value(`${poleId}-D02.temperature`, T0), 1);
      }
    }
    expect(withEnv).toBeGreaterThan(0);
  });
});

describe("edge configs", () => {
  it("writes one valid config per gateway covering every device, pointing at the simulators", async () => {
    expect(sims.edgeConfigFiles.map((f) => f.slice(dir.length + 1))).toEqual([
      "edge-gw-binhu-01.yaml",
      "edge-gw-binhu-02.yaml",
    ]);
    const all: string[] = [];
    for (const file of sims.edgeConfigFiles) {
      const config = edgeConfigSchema.parse(parse(await readFile(file, "utf8")));
      expect(config.mqtt).toMatchObject({ username: config.gateway.id, passwordEnv: "CT_MQTT_PASSWORD" });
      expect(config.gateway.tenant).toBe("hefei");
      expect(join(dir, config.profileDirs[0] ?? "")).toMatch(/edge\/profiles$/);
      for (const d of config.devices) {
        all.push(d.id);
        if (d.driver === "modbus-tcp") expect(unitOf(d.id)).toEqual({ port: d.port, unit: d.unitId });
        if (d.driver === "opcua") {
          expect(d.endpoint).toBe(sims.opcuaEndpoint);
          expect(d.points.map((p) => p.nodeId)).toContain(`ns=1;s=${d.id}.strain_1`);
        }
        if (d.driver === "mqtt-json") {
          expect(d.topic).toBe(`poles/${d.id.slice(0, -4)}/data`);
          expect(d.broker).toBe(sims.fieldBrokerUrl);
        }
      }
    }
    expect(all.sort()).toEqual(city.devices.map((d) => d.id).sort());
  });
});
