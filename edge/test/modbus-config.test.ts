/** Modbus device config: transports, serial line defaults, one port's settings must agree. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CityTwinError } from "@citytwin/model";
import { loadEdgeConfig } from "../src/config";
import { portSettings } from "../src/modbus";

const PROFILES_DIR = join(import.meta.dirname, "..", "profiles");

const config = (devices: string) => `version: 1
gateway: { tenant: hefei, id: gw-binhu-01 }
mqtt: { url: "mqtt://127.0.0.1:1883" }
profileDirs: [${PROFILES_DIR}]
devices:
${devices}`;

const rtu = (n: number, unit: number, serial = "{ path: /dev/ttyUSB0, baudRate: 9600 }") =>
  `  - { id: 340111-GVC-0000${n}-D01, driver: modbus, profile: ct-gd100-methane, transport: rtu, unitId: ${unit}, serial: ${serial} }\n`;

function configError(text: string): string {
  try {
    loadEdgeConfig(text, "edge.yaml", {});
  } catch (err) {
    expect((err as CityTwinError).code).toBe("CONFIG_INVALID");
    return (err as Error).message;
  }
  throw new Error("expected a config error");
}

describe("modbus device config", () => {
  it("loads RTU devices sharing a serial line, with spec defaults (8E1) and 3.5-char gap", () => {
    const cfg = loadEdgeConfig(config(rtu(1, 1) + rtu(2, 2)), "edge.yaml", {});
    const d = cfg.devices[0]!;
    if (d.driver !== "modbus") throw new Error("expected driver modbus");
    expect(d.serial).toEqual({
      path: "/dev/ttyUSB0",
      baudRate: 9600,
      parity: "even",
      dataBits: 8,
      stopBits: 1,
    });
    expect(d).toMatchObject({ transport: "rtu", retries: 0, backoffMs: 1000, maxBackoffMs: 30_000 });
    const s = portSettings(d);
    expect(s.key).toBe("serial:/dev/ttyUSB0");
    expect(s.interFrameGapMs).toBeCloseTo((3.5 * 11 * 1000) / 9600, 9); // ≈ 4.01 ms
  });

  it("loads tcp and rtu-over-tcp devices; host:port is the physical port", () => {
    const cfg = loadEdgeConfig(
      config(
        `  - { id: 340111-GVC-00001-D01, driver: modbus, profile: ct-gd100-methane, host: 10.0.3.21 }\n` +
          `  - { id: 340111-GVC-00002-D01, driver: modbus, profile: ct-gd100-methane, transport: rtu-over-tcp, host: 10.0.3.22, port: 4001, unitId: 7 }\n`,
      ),
      "edge.yaml",
      {},
    );
    const [a, b] = cfg.devices.map((d) => (d.driver === "modbus" ? portSettings(d) : undefined));
    expect(a).toMatchObject({ key: "10.0.3.21:502", transport: "tcp", interFrameGapMs: 0 });
    expect(b).toMatchObject({ key: "10.0.3.22:4001", transport: "rtu-over-tcp", interFrameGapMs: 1.75 });
  });

  it("rejects a transport without its address", () => {
    expect(
      configError(config(`  - { id: 340111-GVC-00001-D01, driver: modbus, profile: ct-gd100-methane }\n`)),
    ).toMatch(/need host/);
    expect(
      configError(
        config(
          `  - { id: 340111-GVC-00001-D01, driver: modbus, profile: ct-gd100-methane, transport: rtu }\n`,
        ),
      ),
    ).toMatch(/needs serial/);
  });

  it("bitWrite: auto (absent), mask or read-modify-write on the device; anything else is rejected", () => {
    const tcp = (extra: string) =>
      config(
        `  - { id: 340111-GVC-00001-D01, driver: modbus, profile: ct-gd100-methane, host: 10.0.3.21${extra} }\n`,
      );
    expect(loadEdgeConfig(tcp(""), "edge.yaml", {}).devices[0]).not.toHaveProperty("bitWrite");
    for (const mode of ["auto", "mask", "read-modify-write"]) {
      expect(loadEdgeConfig(tcp(`, bitWrite: ${mode}`), "edge.yaml", {}).devices[0]).toMatchObject({
        bitWrite: mode,
      });
    }
    expect(configError(tcp(", bitWrite: rmw"))).toMatch(/bitWrite/);
  });

  it("rejects devices on one serial line whose line settings differ", () => {
    const msg = configError(config(rtu(1, 1) + rtu(2, 2, "{ path: /dev/ttyUSB0, baudRate: 19200 }")));
    expect(msg).toMatch(/devices\.1\.serial|devices\[1\]/);
    expect(msg).toMatch(/shares port serial:\/dev\/ttyUSB0 with devices\[0\]/);
  });
});
