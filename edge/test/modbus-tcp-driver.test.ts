/**
 * Modbus driver, transport tcp, against an independent server (pymodbus 3.0, Python) on a free port.
 */
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, stopAll, type Child } from "../../test/support/child";
import { freePort } from "../../test/support/free-port";
import { modbusDeviceSchema, modbusProfileSchema } from "../src/config";
import { ModbusDriver, ModbusPort, PollRunner, type Reading } from "../src/drivers";
import { portSettings } from "../src/modbus";

const SERVER = join(import.meta.dirname, "fixtures", "modbus-server.py");
const logger = pino({ level: "silent" });
let skew = 0;
const clock = { now: () => Date.now() + skew };

const profile = modbusProfileSchema.parse({
  id: "test-all",
  driver: "modbus",
  points: [
    { key: "f_abcd", address: "40001", type: "FLOAT32" },
    { key: "f_cdab", register: "holding", address: 100, type: "FLOAT32", byteOrder: "CDAB" },
    { key: "flow", register: "holding", address: 102, type: "UINT32", scale: 0.01 },
    { key: "gas_pressure", register: "input", address: 0, type: "UINT16", scale: 0.1 },
    { key: "level", address: "30011", type: "INT16", byteOrder: "BADC", scale: 0.001 },
    { key: "c0", address: "00001", type: "BIT" },
    { key: "c1", address: "00002", type: "BIT" },
    { key: "c2", address: "00003", type: "BIT" },
  ],
});

const holdingOnly = modbusProfileSchema.parse({
  id: "holding-only",
  driver: "modbus",
  points: [
    { key: "water_pressure", register: "holding", address: 100, type: "FLOAT32", byteOrder: "CDAB" },
    { key: "water_flow", register: "holding", address: 102, type: "UINT32", scale: 0.01 },
  ],
});

const device = (unitId: number, n: number, port: number, timeoutMs = 300) =>
  modbusDeviceSchema.parse({
    id: `340111-GVC-0000${n}-D01`,
    driver: "modbus",
    profile: "test-all",
    host: "127.0.0.1",
    port,
    unitId,
    pollIntervalMs: 100,
    timeoutMs,
  });

const byKey = (rs: Reading[]) => Object.fromEntries(rs.map((r) => [r.key, r]));

let server: Child;
let port: number;
let shared: ModbusPort;

async function startServer(): Promise<Child> {
  const c = startChild("pymodbus", "/usr/bin/python3", [SERVER, String(port)]);
  await c.waitFor(/^READY/, 15_000);
  return c;
}

beforeAll(async () => {
  port = await freePort();
  server = await startServer();
  shared = new ModbusPort(portSettings(device(1, 1, port)), logger, clock);
});

afterAll(async () => {
  await shared.close();
  await stopAll();
});

describe("ModbusTcpDriver (pymodbus server)", () => {
  it("decodes every type and byte order the server serves, stamped with the edge clock", async () => {
    const before = Date.now();
    const res = await new ModbusDriver(device(1, 1, port), profile, shared, clock).read();
    expect(res.health).toBe("ok");
    const r = byKey(res.readings);
    expect(r.f_abcd?.value).toBe(Math.fround(123.456));
    expect(r.f_cdab?.value).toBe(Math.fround(123.456));
    expect(r.flow?.value).toBeCloseTo(1234.56, 8);
    expect(r.gas_pressure?.value).toBeCloseTo(123.4, 8);
    expect(r.level?.value).toBeCloseTo(1.5, 8);
    expect([r.c0?.value, r.c1?.value, r.c2?.value]).toEqual([true, false, true]);
    for (const x of res.readings) {
      expect(x.quality).toBe("good");
      expect(x.clock).toBe("edge");
      expect(x.ts).toBeGreaterThanOrEqual(before);
    }
  });

  it("an exception unit and a silent unit yield bad readings while the good unit keeps reading", async () => {
    const good = new ModbusDriver(device(1, 1, port), profile, shared, clock);
    const exc = new ModbusDriver(device(2, 2, port), holdingOnly, shared, clock);
    const dead = new ModbusDriver(device(3, 3, port, 200), profile, shared, clock);
    const [g1, e, d, g2] = await Promise.all([good.read(), exc.read(), dead.read(), good.read()]);
    expect(e.health).toBe("down");
    expect(e.errorCode).toBe("MODBUS_EXCEPTION");
    expect(e.errorMessage).toMatch(/exception 2/);
    expect(e.readings.map((x) => [x.key, x.value, x.quality])).toEqual([
      ["water_pressure", null, "bad"],
      ["water_flow", null, "bad"],
    ]);
    expect(d.health).toBe("down");
    expect(d.errorCode).toBe("MODBUS_TIMEOUT");
    for (const g of [g1, g2]) {
      expect(g.health).toBe("ok");
      expect(byKey(g.readings).f_abcd?.value).toBe(Math.fround(123.456));
    }
    expect(shared.counters.connects).toBe(1);
    expect(shared.counters.exceptions).toBeGreaterThanOrEqual(1);
    expect(shared.counters.timeouts).toBeGreaterThanOrEqual(1);
  });

  it("a partial failure is degraded: readable points stay good", async () => {
    // Unit 2 has holding 0 only: a FLOAT32 at 0 needs two registers (exception), UINT16 at 0 works.
    const partial = modbusProfileSchema.parse({
      id: "partial",
      driver: "modbus",
      points: [
        { key: "ok16", address: 0, register: "input", type: "UINT16" },
        { key: "bad32", address: 0, type: "FLOAT32" },
      ],
    });
    const res = await new ModbusDriver(device(2, 2, port), partial, shared, clock).read();
    expect(res.health).toBe("degraded");
    const r = byKey(res.readings);
    expect(r.ok16).toMatchObject({ value: 7, quality: "good" });
    expect(r.bad32).toMatchObject({ value: null, quality: "bad" });
  });

  it("the poll runner reports health and recovers after the server restarts", async () => {
    const got: Reading[] = [];
    const health: string[] = [];
    const runner = new PollRunner(
      [new ModbusDriver(device(1, 1, port), profile, shared, clock)],
      { readings: (rs) => got.push(...rs), health: (_id, h) => health.push(h) },
      logger,
      clock,
    );
    runner.start();
    await waitUntil(() => got.length >= 16);
    expect(health).toEqual(["ok"]);

    await server.stop("SIGKILL");
    await waitUntil(() => health.includes("down"));
    expect(got.some((x) => x.quality === "bad" && x.value === null)).toBe(true);

    server = await startServer();
    skew += 60_000; // skip the reconnect backoff instead of sleeping through it
    const before = got.length;
    await waitUntil(() => health.at(-1) === "ok" && got.length > before + 8, 20_000);
    expect(got.at(-1)?.quality).toBe("good");
    await runner.stop();
    const stats = runner.stats()["340111-GVC-00001-D01"];
    expect(stats?.health).toBe("ok");
    expect(stats?.failures).toBeGreaterThan(0);
    expect(shared.counters.connects).toBeGreaterThanOrEqual(2);
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
