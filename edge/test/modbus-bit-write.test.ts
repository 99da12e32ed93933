/**
 * BIT writes within a holding register and 64-bit integers beyond 2^53, against pymodbus 3.0
 * (fixtures/modbus-mask-server.py): one server that implements FC22 Mask Write Register, one
 * whose FC22 answers exception 1 (Illegal Function), so "auto" must fall back to read-modify-write.
 */
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChild, stopAll } from "../../test/support/child";
import { freePorts } from "../../test/support/free-port";
import { modbusDeviceSchema, modbusProfileSchema } from "../src/config";
import {
  ModbusDriver,
  ModbusDriverSet,
  ModbusPort,
  type Reading,
  type TransactionOptions,
} from "../src/drivers";
import { portSettings } from "../src/modbus";

const SERVER = join(import.meta.dirname, "fixtures", "modbus-mask-server.py");
const logger = pino({ level: "silent" });
const clock = { now: () => Date.now() };

const profile = modbusProfileSchema.parse({
  id: "bits",
  driver: "modbus",
  points: [
    { key: "r4", address: 4 },
    { key: "r5", address: 5 },
    { key: "r6", address: 6 },
    { key: "b3", address: 5, type: "BIT", bit: 3 },
    { key: "b0_r4", address: 4, type: "BIT", bit: 0 },
    { key: "b15_r6", address: 6, type: "BIT", bit: 15 },
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((bit) => ({ key: `r30_b${bit}`, address: 30, type: "BIT", bit })),
    { key: "r30", address: 30 },
    { key: "r31", address: 31 },
  ],
});

const wide = modbusProfileSchema.parse({
  id: "wide",
  driver: "modbus",
  points: [
    { key: "u64_max", address: 10, type: "UINT64" },
    { key: "i64_2p53p1", address: 14, type: "INT64" },
    { key: "i64_min", address: 18, type: "INT64" },
    { key: "i64_safe_cdab", address: 22, type: "INT64", byteOrder: "CDAB" },
    { key: "i64_target", address: 26, type: "INT64", byteOrder: "DCBA" },
  ],
});

const device = (n: number, port: number, extra: Record<string, unknown> = {}) =>
  modbusDeviceSchema.parse({
    id: `340111-GVC-0000${n}-D01`,
    driver: "modbus",
    profile: "bits",
    host: "127.0.0.1",
    port,
    unitId: 1,
    timeoutMs: 1000,
    ...extra,
  });

const byKey = (rs: Reading[]) => Object.fromEntries(rs.map((r) => [r.key, r]));

let withMask: number;
let noMask: number;
const ports: ModbusPort[] = [];

function portFor(p: number): ModbusPort {
  const mp = new ModbusPort(portSettings(device(1, p)), logger, clock);
  ports.push(mp);
  return mp;
}

async function registers(drv: ModbusDriver): Promise<Record<string, unknown>> {
  const res = await drv.read();
  expect(res.health).toBe("ok");
  return Object.fromEntries(res.readings.map((r) => [r.key, r.value]));
}

beforeAll(async () => {
  [withMask, noMask] = (await freePorts(2)) as [number, number];
  const c = startChild("pymodbus-mask", "/usr/bin/python3", [SERVER, String(withMask), String(noMask)]);
  await c.waitFor(/^READY/, 15_000);
});

afterAll(async () => {
  await Promise.all(ports.map((p) => p.close()));
  await stopAll();
});

describe("BIT writes in a holding register (pymodbus)", () => {
  it("FC22: bit 3 to 1 then 0, neighbouring bits and registers unchanged", async () => {
    const port = portFor(withMask);
    const drv = new ModbusDriver(device(1, withMask), profile, port, clock);
    expect(await registers(drv)).toMatchObject({ r4: 0xffff, r5: 0xa5a5, r6: 0x5a5a, b3: false });

    expect(await drv.write("b3", true)).toEqual({ ok: true, fc: 22, address: 5 });
    expect(await registers(drv)).toMatchObject({ r4: 0xffff, r5: 0xa5ad, r6: 0x5a5a, b3: true });

    expect(await drv.write("b3", 0)).toEqual({ ok: true, fc: 22, address: 5 });
    expect(await registers(drv)).toMatchObject({ r4: 0xffff, r5: 0xa5a5, r6: 0x5a5a, b3: false });

    // Edge bits: clear bit 0 of 0xFFFF, set bit 15 of 0x5A5A.
    expect(await drv.write("b0_r4", false)).toMatchObject({ ok: true, fc: 22 });
    expect(await drv.write("b15_r6", true)).toMatchObject({ ok: true, fc: 22 });
    expect(await registers(drv)).toMatchObject({ r4: 0xfffe, r5: 0xa5a5, r6: 0xda5a });
    await drv.write("b0_r4", true);
    await drv.write("b15_r6", false);

    expect(drv.counters).toMatchObject({ maskWrites: 6, rmwWrites: 0, maskUnsupported: 0 });
    expect(port.counters.exceptions).toBe(0);
  });

  it("rejects a value that is not a bit", async () => {
    const drv = new ModbusDriver(device(1, withMask), profile, portFor(withMask), clock);
    expect(await drv.write("b3", 2)).toMatchObject({ ok: false, code: "INVALID_COMMAND" });
    expect(await drv.write("b3", "1")).toMatchObject({ ok: false, code: "INVALID_COMMAND" });
  });

  it("auto: exception 1 on FC22 falls back to read-modify-write, remembered for the unit", async () => {
    const port = portFor(noMask);
    const drv = new ModbusDriver(device(2, noMask), profile, port, clock);
    expect(await drv.write("b3", true)).toEqual({ ok: true, fc: 6, address: 5 });
    expect(await registers(drv)).toMatchObject({ r4: 0xffff, r5: 0xa5ad, r6: 0x5a5a, b3: true });
    expect(port.counters.exceptions).toBe(1);

    // Remembered per unit on this port, also by another driver for the same unit: no more FC22.
    const other = new ModbusDriver(device(3, noMask), profile, port, clock);
    expect(await other.write("b3", false)).toEqual({ ok: true, fc: 6, address: 5 });
    expect(await registers(drv)).toMatchObject({ r4: 0xffff, r5: 0xa5a5, r6: 0x5a5a, b3: false });
    expect(port.counters.exceptions).toBe(1);
    expect(drv.counters).toMatchObject({ maskWrites: 0, rmwWrites: 1, maskUnsupported: 1 });
    expect(other.counters).toMatchObject({ maskWrites: 0, rmwWrites: 1, maskUnsupported: 0 });

    const set = new ModbusDriverSet([port], [drv, other]);
    expect(set.stats()).toMatchObject({ modbus_rmwWrites: 2, modbus_maskUnsupported: 1 });
  });

  it("mask: a unit without FC22 gives DEVICE_ERROR and no fallback", async () => {
    const port = portFor(noMask);
    const drv = new ModbusDriver(device(4, noMask, { bitWrite: "mask" }), profile, port, clock);
    const out = await drv.write("b3", true);
    expect(out).toMatchObject({ ok: false, code: "DEVICE_ERROR" });
    expect(out.ok ? "" : out.message).toMatch(/exception 1 on FC22 @5/);
    expect(await registers(drv)).toMatchObject({ r5: 0xa5a5, b3: false });
  });

  it("read-modify-write: chosen by the profile, never sends FC22", async () => {
    const port = portFor(withMask);
    const drv = new ModbusDriver(
      device(5, withMask),
      { ...profile, bitWrite: "read-modify-write" },
      port,
      clock,
    );
    expect(await drv.write("b3", true)).toEqual({ ok: true, fc: 6, address: 5 });
    expect(await registers(drv)).toMatchObject({ r4: 0xffff, r5: 0xa5ad, r6: 0x5a5a });
    expect(await drv.write("b3", false)).toEqual({ ok: true, fc: 6, address: 5 });
    expect(await registers(drv)).toMatchObject({ r4: 0xffff, r5: 0xa5a5, r6: 0x5a5a });
    expect(drv.counters).toMatchObject({ maskWrites: 0, rmwWrites: 2 });
    // The device setting wins over the profile's.
    const masked = new ModbusDriver(
      device(5, withMask, { bitWrite: "mask" }),
      { ...profile, bitWrite: "read-modify-write" },
      port,
      clock,
    );
    expect(await masked.write("b3", false)).toMatchObject({ ok: true, fc: 22 });
  });

  it("read-modify-write holds the port: concurrent bit writes to one register lose no update", async () => {
    const port = portFor(noMask);
    const drv = new ModbusDriver(device(6, noMask, { bitWrite: "read-modify-write" }), profile, port, clock);
    // Eight commands at once, with polls queued among them: each read-modify-write must run
    // its FC3 and FC6 back to back, or a later write puts back a bit an earlier one cleared.
    const outs = await Promise.all([
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((bit) => drv.write(`r30_b${bit}`, true)),
      drv.read(),
      drv.read(),
    ]);
    expect(outs.slice(0, 8).every((o) => "ok" in o && o.ok)).toBe(true);
    expect((await registers(drv)).r30).toBe(0x00ff);

    // Control: the same eight writes as separate FC3 and FC6 transactions do lose updates,
    // so the check above can fail.
    const opts: TransactionOptions = {
      timeoutMs: 1000,
      retries: 0,
      backoffMs: 0,
      maxBackoffMs: 0,
      urgent: true,
    };
    await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map(async (bit) => {
        const [cur] = (await port.transact(1, { fc: 3, start: 31, count: 1 }, opts)) as number[];
        await port.transact(1, { fc: 6, address: 31, value: (cur ?? 0) | (1 << bit) }, opts);
      }),
    );
    expect((await registers(drv)).r31).not.toBe(0x00ff);
  });
});

describe("INT64/UINT64 beyond 2^53 (pymodbus)", () => {
  it("publishes the nearest double with quality uncertain when the integer is not a double", async () => {
    const port = portFor(withMask);
    const drv = new ModbusDriver(device(7, withMask), wide, port, clock);
    const res = await drv.read();
    expect(res.health).toBe("ok");
    const r = byKey(res.readings);
    expect(r.u64_max).toMatchObject({ value: 2 ** 64, quality: "uncertain" });
    expect(r.i64_2p53p1).toMatchObject({ value: 2 ** 53, quality: "uncertain" });
    // -2^63 and 2^53-1 are doubles exactly: good.
    expect(r.i64_min).toMatchObject({ value: -(2 ** 63), quality: "good" });
    expect(r.i64_safe_cdab).toMatchObject({ value: 2 ** 53 - 1, quality: "good" });
    expect(drv.counters.rounded64).toBe(2);
    expect(new ModbusDriverSet([port], [drv]).stats()).toMatchObject({ modbus_rounded64: 2 });
  });

  it("writes an INT64 exactly from a decimal string and refuses a rounded number", async () => {
    const port = portFor(withMask);
    const drv = new ModbusDriver(device(8, withMask), wide, port, clock);
    expect(await drv.write("i64_target", "-9223372036854775807")).toEqual({ ok: true, fc: 16, address: 26 });
    // DCBA: -2^63+1 = 0x8000000000000001, all bytes reversed on the wire.
    const words = await port.transact(
      1,
      { fc: 3, start: 26, count: 4 },
      { timeoutMs: 1000, retries: 0, backoffMs: 0, maxBackoffMs: 0 },
    );
    expect(words).toEqual([0x0100, 0x0000, 0x0000, 0x0080]);
    expect(byKey((await drv.read()).readings).i64_target).toMatchObject({
      value: -(2 ** 63),
      quality: "uncertain",
    });

    const bad = await drv.write("i64_target", 2 ** 60 + 2 ** 10);
    expect(bad).toMatchObject({ ok: false, code: "INVALID_COMMAND" });
    expect(bad.ok ? "" : bad.message).toMatch(/decimal string/);
    expect(await drv.write("i64_target", "9223372036854775808")).toMatchObject({
      ok: false,
      code: "INVALID_COMMAND",
    });
    expect(await drv.write("i64_target", 1.5)).toMatchObject({ ok: false, code: "INVALID_COMMAND" });
  });
});
