/**
 * Modbus RTU over a serial line (socat pty pair, independent pymodbus RTU server; unit 3
 * never answers) and RTU over TCP (socat bridge in front of a second server).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { modbusDeviceSchema } from "../src/config";
import { buildModbus } from "../src/drivers";
import { portSettings, silentIntervalMs } from "../src/modbus";
import { byKey, RtuRig } from "./fixtures/modbus-rtu-bus";

let rig: RtuRig;

beforeAll(async () => {
  rig = await RtuRig.start(1, true);
});

afterAll(async () => {
  await rig.stop();
});

describe("Modbus RTU over a serial line (socat pty pair, pymodbus server)", () => {
  it("one scheduler per serial path; the gap defaults to 3.5 character times", () => {
    const set = buildModbus([rig.dev(1, 1, "meter"), rig.dev(2, 2, "valve")], rig.ctx());
    expect(set.ports).toHaveLength(1);
    expect(portSettings(rig.dev(1, 1, "meter")).interFrameGapMs).toBe(1.75); // > 19200 baud
    const slow = { path: "x", baudRate: 9600, parity: "even", dataBits: 8, stopBits: 1 } as const;
    expect(silentIntervalMs(slow)).toBeCloseTo((3.5 * 11 * 1000) / 9600, 9);
  });

  it("decodes both live units; an exception and a dead unit are bad quality, not a crash", async () => {
    const set = buildModbus(
      [
        rig.dev(1, 1, "meter"),
        rig.dev(2, 2, "valve"),
        rig.dev(3, 2, "beyond"),
        rig.dev(4, 3, "meter", { timeoutMs: 150 }),
      ],
      rig.ctx(),
    );
    try {
      const [meter, valve, beyond, dead] = set.drivers;
      const [a, b, c, d] = await Promise.all([meter!.read(), valve!.read(), beyond!.read(), dead!.read()]);
      expect(a.health).toBe("ok");
      expect(byKey(a.readings)).toEqual({ f: Math.fround(123.456), p: 123.4, c0: true, c1: false, c2: true });
      expect(b.health).toBe("ok");
      expect(byKey(b.readings)).toMatchObject({ i16: -2, u32: 305419896 });
      expect(c).toMatchObject({ health: "down", errorCode: "MODBUS_EXCEPTION" });
      expect(c.errorMessage).toMatch(/exception 2/);
      expect(d).toMatchObject({ health: "down", errorCode: "MODBUS_TIMEOUT" });
      expect(d.readings.every((r) => r.value === null && r.quality === "bad")).toBe(true);
      // The dead unit's first request timed out; its remaining requests were skipped.
      expect(set.ports[0]!.counters.timeouts).toBe(1);
      expect(set.ports[0]!.counters.skipped).toBe(1);
      expect(set.ports[0]!.counters.connects).toBe(1);
    } finally {
      await set.stop();
    }
  });

  it("RTU over TCP: the same RTU frames through a serial-to-Ethernet bridge", async () => {
    const overTcp = (n: number, unitId: number, profile: string) =>
      modbusDeviceSchema.parse({
        id: `340111-GVC-0000${n}-D01`,
        driver: "modbus",
        profile,
        transport: "rtu-over-tcp",
        host: "127.0.0.1",
        port: rig.bridgePort,
        unitId,
        timeoutMs: 1000,
      });
    const set = buildModbus(
      [overTcp(1, 1, "meter"), overTcp(2, 2, "valve"), overTcp(3, 2, "beyond")],
      rig.ctx(),
    );
    try {
      expect(set.ports.map((p) => p.key)).toEqual([`127.0.0.1:${rig.bridgePort}`]);
      const [a, b, c] = await Promise.all(set.drivers.map((d) => d.read()));
      expect(a?.errorMessage).toBeUndefined();
      expect(a?.health).toBe("ok");
      expect(byKey(a!.readings)).toMatchObject({ f: Math.fround(123.456), p: 123.4, c0: true });
      expect(byKey(b!.readings)).toMatchObject({ i16: -2, u32: 305419896 });
      expect(c).toMatchObject({ health: "down", errorCode: "MODBUS_EXCEPTION" });
      expect(set.ports[0]!.counters).toMatchObject({ connects: 1, timeouts: 0, exceptions: 1 });
    } finally {
      await set.stop();
    }
  });

  it("writes with FC5, FC6, FC15 and FC16 and reads the values back", async () => {
    const set = buildModbus([rig.dev(2, 2, "valve"), rig.dev(4, 3, "meter", { timeoutMs: 100 })], rig.ctx());
    const id = "340111-GVC-00002-D01";
    try {
      expect(await set.write(id, "scratch", 4321)).toEqual({ ok: true, fc: 6, address: 3 });
      expect(await set.write(id, "setpoint", 25)).toEqual({ ok: true, fc: 16, address: 4 });
      expect(await set.write(id, "relay", true)).toEqual({ ok: true, fc: 5, address: 0 });
      expect(await set.write(id, "00003", [true, false, true])).toEqual({ ok: true, fc: 15, address: 2 });
      expect(await set.write(id, 8, [1, 2])).toEqual({ ok: true, fc: 16, address: 8 });
      const r = byKey((await set.drivers[0]!.read()).readings);
      expect(r).toMatchObject({ scratch: 4321, setpoint: 25, relay: true });
      expect(await set.write(id, "status", 1)).toMatchObject({ ok: false, code: "INVALID_COMMAND" });
      expect(await set.write(id, "40001", 1.5)).toMatchObject({ ok: false, code: "INVALID_COMMAND" });
      expect(await set.write(id, 100, 1)).toMatchObject({ ok: false, code: "DEVICE_ERROR" });
      expect(await set.write("nope", 0, 1)).toMatchObject({ ok: false, code: "UNKNOWN_DEVICE" });
      expect(await set.write("340111-GVC-00004-D01", 0, 1)).toMatchObject({ ok: false, code: "TIMEOUT" });
    } finally {
      await set.stop();
    }
  });
});
