/**
 * Property-based fuzzing of the gateway config loader (issue 6, "Bad input"): arbitrary
 * YAML-ish text and mutated valid configs give a valid config or a CityTwinError naming file,
 * path and line, never any other exception. Helpers and FUZZ_SEED / FUZZ_SCALE:
 * model/test/fuzz-support.ts.
 */
import { describe, expect, it } from "vitest";
import { fuzzConfigLoader } from "../../model/test/fuzz-support";
import { loadGatewayConfig } from "../src/config/load";

const FILE = "/etc/citytwin/gateway.yaml";
const HASH = "scrypt$16384$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNo";
const VALID = `version: 1
tenant: hefei
mode: secure
mqtt:
  host: 127.0.0.1
  port: 1883
  persistence: level
http:
  host: 127.0.0.1
  port: 8080
  staticDir: viewer
city: city.json
gateways:
  - id: gw-01
    secretHash: ${HASH}
  - id: gw-02
    secretHash: ${HASH}
operators:
  - name: duty-admin
    role: admin
    tokenHash: ${HASH}
influx:
  v2:
    url: http://127.0.0.1:8086
    org: citytwin
    bucket: telemetry
    tokenEnv: INFLUX_TOKEN
  v1:
    url: http://127.0.0.1:8087
    database: citytwin
    usernameEnv: INFLUX_USER
  batchSize: 5000
limits:
  maxPayloadBytes: 262144
  maxClockSkewMs: 300000
ingest:
  queueHighWater: 10000
  queueMax: 50000
  deadLetterFile: dead-letters.jsonl
  journal:
    fsync: interval
alarms:
  stateDir: state
  tickMs: 1000
live:
  tickMs: 250
`;
const ENV = { INFLUX_TOKEN: "t", INFLUX_USER: "u" };
const load = (text: string) => () => loadGatewayConfig(text, FILE, ENV);

describe("fuzz: gateway config loader", () => {
  fuzzConfigLoader(FILE, load, VALID, { text: 3_000, splices: 4_000, mutations: 3_000 });

  // Regressions: `yaml`'s toJS threw a ReferenceError (not a CityTwinError) for these.
  it.each([
    ["an alias before its anchor", "a: *b", 1],
    ["an unknown alias", "version: 1\ntenant: *t\n", 2],
    [
      "an alias bomb",
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
      2,
    ],
  ])("%s is a CityTwinError with file and line", (_name, text, line) => {
    expect(load(text)).toThrow(new RegExp(`gateway\\.yaml \\(line ${line}:\\d+\\): YAML`));
  });

  it("an empty config names line 1", () => {
    expect(load("")).toThrow(/gateway\.yaml: \(root\) \(line 1:1\)/);
  });
});
