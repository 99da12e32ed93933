import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CityTwinError } from "@citytwin/model";
import { loadEdgeConfig, type ConfigIo } from "../src/config";

const PROFILES_DIR = join(import.meta.dirname, "..", "profiles");

const BASE = `version: 1
gateway:
  tenant: hefei
  id: gw-binhu-01
mqtt:
  url: mqtt://127.0.0.1:1883
profileDirs:
  - ${PROFILES_DIR}
devices:
  - id: 340111-GVC-00007-D01
    driver: modbus-tcp
    profile: ct-gd100-methane
    host: 127.0.0.1
    port: 5020
    unitId: 1
`;

function expectConfigError(
  text: string,
  pattern: RegExp,
  env: NodeJS.ProcessEnv = {},
  io?: ConfigIo,
): string {
  try {
    loadEdgeConfig(text, "edge.yaml", env, io);
  } catch (err) {
    expect(err).toBeInstanceOf(CityTwinError);
    expect((err as CityTwinError).code).toBe("CONFIG_INVALID");
    expect((err as Error).message).toMatch(pattern);
    return (err as Error).message;
  }
  throw new Error("expected a config error");
}

describe("loadEdgeConfig", () => {
  it("loads a valid config, applies defaults and resolves profiles", () => {
    const cfg = loadEdgeConfig(BASE, "/etc/citytwin/edge.yaml", {});
    expect(cfg.gateway.id).toBe("gw-binhu-01");
    expect(cfg.publish).toEqual({
      maxBatchReadings: 2000,
      maxDelayMs: 500,
      queue: {
        kind: "disk",
        maxBytes: 64 * 1024 * 1024,
        segmentBytes: 1024 * 1024,
        fsyncIntervalMs: 1000,
        replayBatchesPerSecond: 20,
      },
      statusIntervalMs: 30_000,
    });
    expect(cfg.mqtt.keepaliveS).toBe(30);
    expect(cfg.stateDirAbs).toBe("/etc/citytwin/edge-state");
    expect(cfg.profileById["ct-gd100-methane"]?.driver).toBe("modbus");
    expect(Object.keys(cfg.profileById).sort()).toHaveLength(11);
    expect(cfg.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("gives the same hash for the same content and a different one after an edit", () => {
    const a = loadEdgeConfig(BASE, "edge.yaml", {}).hash;
    const b = loadEdgeConfig(
      BASE.replace("gateway:\n  tenant: hefei", "gateway:\n  tenant: hefei"),
      "x.yaml",
      {},
    ).hash;
    const c = loadEdgeConfig(BASE.replace("port: 5020", "port: 5021"), "edge.yaml", {}).hash;
    expect(b).toBe(a);
    expect(c).not.toBe(a);
  });

  it("names file, dotted path and line:col of an out-of-range value", () => {
    const text = BASE.replace("port: 5020", "port: 70000");
    // "    port: 70000" is line 14; the value starts at column 11.
    const msg = expectConfigError(text, /^edge\.yaml: devices\[0\]\.port \(line 14:11\): /);
    expect(msg).toMatch(/65535/);
  });

  it("points at an unknown key itself", () => {
    const text = BASE.replace("    unitId: 1\n", "    unitId: 1\n    pollMs: 100\n");
    expectConfigError(text, /^edge\.yaml: devices\[0\]\.pollMs \(line 16:5\): unknown key "pollMs"/);
  });

  it("points at the parent when a required key is missing", () => {
    const text = BASE.replace("  url: mqtt://127.0.0.1:1883\n", "  keepaliveS: 30\n");
    expectConfigError(text, /^edge\.yaml: mqtt\.url \(line 6:3\): /);
  });

  it("reports YAML syntax errors with a line", () => {
    expectConfigError("version: 1\ngateway: [\n", /^edge\.yaml: \(line \d+:\d+\): YAML: /);
  });

  it("rejects an unknown profile and a profile of the wrong driver kind", () => {
    expectConfigError(
      BASE.replace("ct-gd100-methane", "nope"),
      /devices\[0\]\.profile \(line 12:14\): unknown profile "nope"/,
    );
    expectConfigError(
      BASE.replace("ct-gd100-methane", "ct-pole-lamp"),
      /devices\[0\]\.profile \(line 12:14\): profile "ct-pole-lamp" is for driver mqtt-json, not modbus/,
    );
  });

  it("rejects duplicate device ids", () => {
    const dev = BASE.slice(BASE.indexOf("  - id:"));
    expectConfigError(
      BASE + dev,
      /devices\[1\]\.id \(line 16:9\): duplicate device id "340111-GVC-00007-D01"/,
    );
  });

  it("checks inline Modbus points (address form, type vs table)", () => {
    const text = `${BASE}profiles:
  - id: bad
    driver: modbus
    points:
      - key: a
        address: "40001"
        register: input
      - key: b
        address: "00005"
        type: FLOAT32
`;
    const msg = expectConfigError(
      text,
      /profiles\[0\]\.points\[0\] \(line 20:9\): "40001" is a holding reference/,
    );
    expect(msg).toMatch(/profiles\[0\]\.points\[1\] \(line 23:9\): type FLOAT32 cannot be read from coils/);
  });

  it("resolves passwordEnv and passwordFile, and names a missing env var", () => {
    const withEnv = BASE.replace(
      "  url: mqtt://127.0.0.1:1883\n",
      "  url: mqtt://127.0.0.1:1883\n  passwordEnv: CT_PW\n",
    );
    expect(loadEdgeConfig(withEnv, "edge.yaml", { CT_PW: "s3cret" }).secrets.mqttPassword).toBe("s3cret");
    expectConfigError(withEnv, /mqtt\.passwordEnv \(line 7:16\): environment variable CT_PW is not set/);

    const dir = mkdtempSync(join(tmpdir(), "ct-edge-cfg-"));
    writeFileSync(join(dir, "pw.txt"), "from-file\n");
    const withFile = BASE.replace(
      "  url: mqtt://127.0.0.1:1883\n",
      "  url: mqtt://127.0.0.1:1883\n  passwordFile: pw.txt\n",
    );
    const cfg = loadEdgeConfig(withFile, join(dir, "edge.yaml"), {});
    expect(cfg.secrets.mqttPassword).toBe("from-file");
    expect(JSON.stringify({ ...cfg, secrets: undefined })).not.toContain("from-file");
  });

  it("names the profile file and line of an invalid profile in a profile dir", () => {
    const dir = mkdtempSync(join(tmpdir(), "ct-edge-prof-"));
    mkdirSync(join(dir, "profiles"));
    writeFileSync(
      join(dir, "profiles", "x.yaml"),
      "id: x\ndriver: modbus\npoints:\n  - key: a\n    address: 0\n    type: INT24\n",
    );
    const text = BASE.replace(`  - ${PROFILES_DIR}`, "  - profiles");
    try {
      loadEdgeConfig(text, join(dir, "edge.yaml"), {});
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/profiles\/x\.yaml: points\[0\]\.type \(line 6:11\): /);
    }
  });
});
