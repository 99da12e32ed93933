/** The benches' `--gateway-set path=value` option (simulators/src/load/gateway-set.ts). */
import { describe, expect, it } from "vitest";
import { applyGatewaySets, benchGatewayConfig, parseGatewaySets } from "../src/load/gateway-set";

describe("--gateway-set", () => {
  it("sets nested keys, parsing JSON values and keeping other text as strings", () => {
    const config = { ingest: { journal: { dir: "j" } }, mode: "demo" };
    const sets = parseGatewaySets([
      "ingest.decodeThreads=0",
      "influx.concurrency=2",
      "mode=secure",
      'live={"tickMs":10}',
    ]);
    expect(applyGatewaySets(config, sets)).toEqual({
      ingest: { journal: { dir: "j" }, decodeThreads: 0 },
      influx: { concurrency: 2 },
      mode: "secure",
      live: { tickMs: 10 },
    });
  });

  it("refuses an argument without path=value, naming the expected form", () => {
    expect(() => parseGatewaySets(["decodeThreads"])).toThrow(/expected path=value/);
    expect(() => parseGatewaySets(["=1"])).toThrow(/expected path=value/);
  });

  it("bench configs: demo mode on loopback free ports, extra on top, then the sets", () => {
    const config = benchGatewayConfig(
      "hefei",
      { ingest: { journal: { dir: "j" } } },
      parseGatewaySets(["ingest.decodeThreads=0", "mqtt.port=1883"]),
    );
    expect(config).toEqual({
      version: 1,
      tenant: "hefei",
      mode: "demo",
      mqtt: { host: "127.0.0.1", port: 1883 },
      http: { host: "127.0.0.1", port: 0 },
      city: "city.json",
      ingest: { journal: { dir: "j" }, decodeThreads: 0 },
    });
  });
});
