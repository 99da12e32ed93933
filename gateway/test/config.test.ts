import { describe, expect, it } from "vitest";
import { CityTwinError } from "@citytwin/model";
import { loadGatewayConfig } from "../src/config/load";

const HASH = "scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=";

function errorOf(text: string, env: Record<string, string> = {}): string {
  try {
    loadGatewayConfig(text, "/etc/ct/gateway.yaml", env);
  } catch (err) {
    expect(err).toBeInstanceOf(CityTwinError);
    expect((err as CityTwinError).code).toBe("CONFIG_INVALID");
    return (err as Error).message;
  }
  throw new Error("expected a config error");
}

const base = `version: 1
tenant: hefei
city: ../data/city.json
gateways:
  - id: gw-01
    secretHash: "${HASH}"
`;

describe("gateway config", () => {
  it("applies defaults and resolves paths relative to the config file", () => {
    const cfg = loadGatewayConfig(`${base}http:\n  staticDir: viewer\n`, "/etc/ct/gateway.yaml", {});
    expect(cfg.mode).toBe("secure");
    expect(cfg.mqtt).toEqual({ host: "127.0.0.1", port: 1883, tlsPort: 8883 });
    expect(cfg.http).toEqual({ host: "127.0.0.1", port: 8080, staticDir: "/etc/ct/viewer" });
    expect(cfg.city).toBe("/etc/data/city.json");
    expect(cfg.hotStore.pointsPerSensor).toBe(720);
    expect(cfg.limits).toEqual({
      maxPayloadBytes: 256 * 1024,
      maxClockSkewMs: 300_000,
      maxAgeMs: 604_800_000,
      connectsPerSecond: 50,
      connectBurst: 500,
      mqttAuthFailuresPerMinute: 30,
      httpAuthFailuresPerMinute: 30,
      messagesPerSecond: 10_000,
      messageBurst: 20_000,
    });
    expect(cfg.provisioning).toEqual({ keys: [] });
    expect(cfg.live.tickMs).toBe(25);
    expect(cfg.influx).toBeUndefined();
  });

  it("names file, path and line of a wrong value", () => {
    const msg = errorOf(`${base}mqtt:\n  host: 127.0.0.1\n  port: 70000\n`);
    expect(msg).toContain("/etc/ct/gateway.yaml: mqtt.port (line 9:9)");
  });

  it("names the line of an unknown key", () => {
    expect(errorOf(`${base}hotstore:\n  pointsPerSensor: 5\n`)).toContain(
      "/etc/ct/gateway.yaml: hotstore (line 7:1): unknown key",
    );
  });

  it("names the line of a bad secret hash", () => {
    const msg = errorOf(
      `version: 1\ntenant: hefei\ncity: c.json\ngateways:\n  - id: gw-01\n    secretHash: plain\n`,
    );
    expect(msg).toContain("gateways[0].secretHash (line 6:17)");
  });

  it("reports YAML syntax errors with a line", () => {
    expect(errorOf(`version: 1\ntenant: [hefei\n`)).toMatch(/gateway\.yaml \(line \d+:\d+\): YAML/);
  });

  it("refuses demo mode on a non-loopback address", () => {
    const msg = errorOf(`version: 1\ntenant: hefei\nmode: demo\ncity: c.json\nhttp:\n  host: 0.0.0.0\n`);
    expect(msg).toContain("http.host (line 6:9): demo mode (auth open) requires a loopback bind address");
  });

  it("allows demo mode on loopback without credentials", () => {
    const cfg = loadGatewayConfig(`version: 1\ntenant: hefei\nmode: demo\ncity: c.json\n`, "g.yaml", {});
    expect(cfg.mode).toBe("demo");
    expect(cfg.gateways).toEqual([]);
  });

  it("resolves InfluxDB secrets from the environment and names a missing one", () => {
    const influx = `influx:\n  v2:\n    url: http://127.0.0.1:8086\n    org: ct\n    bucket: b\n    tokenEnv: CT_TOKEN\n`;
    const cfg = loadGatewayConfig(base + influx, "g.yaml", { CT_TOKEN: "s3cret" });
    expect(cfg.influx?.v2).toEqual({ url: "http://127.0.0.1:8086", org: "ct", bucket: "b", token: "s3cret" });
    expect(cfg.influx?.batchSize).toBe(5000);
    expect(cfg.influx?.concurrency).toBe(4);
    expect(errorOf(base + influx)).toContain(
      "influx.v2.tokenEnv (line 12:15): environment variable CT_TOKEN is not set",
    );
  });
});
