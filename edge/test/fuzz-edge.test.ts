/**
 * Property-based fuzzing of the edge's decoders (issue 6, "Bad input"): the YAML config loader,
 * pushed config messages (`ct/v1/{tenant}/{gw}/config`) and Modbus register decoding. Helpers
 * and FUZZ_SEED / FUZZ_SCALE: model/test/fuzz-support.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CityTwinError } from "@citytwin/model";
import { fuzzConfigLoader, fuzzParams, mutatedConfig } from "../../model/test/fuzz-support";
import { checkPushedConfig } from "../src/commands/config-push";
import { sha256Hash } from "../src/config/hash";
import { loadEdgeConfig, type ConfigIo } from "../src/config/load";
import { BYTE_ORDERS, MODBUS_TYPES, modbusPointSchema } from "../src/config/schema";
import {
  decodeRegisters,
  decodeRegistersChecked,
  resolveModbusPoint,
  type ResolvedPoint,
} from "../src/modbus";

const FILE = "/etc/citytwin/edge.yaml";
const VALID = `version: 1
gateway: { tenant: hefei, id: gw-binhu-01 }
mqtt:
  url: mqtt://127.0.0.1:1883
  username: gw-binhu-01
  passwordEnv: CT_MQTT_PASSWORD
stateDir: state
publish: { maxBatchReadings: 500, maxDelayMs: 200, queue: { kind: memory } }
profiles:
  - id: gas
    driver: modbus
    points:
      - key: ch4
        address: "40001"
        type: FLOAT32
        byteOrder: CDAB
        report: { deadband: 0.5, maxIntervalMs: 60000 }
      - key: gas_pressure
        address: 2
        register: input
        type: INT16
        scale: 0.1
      - key: valve
        address: "00001"
        type: BIT
  - id: lamp
    driver: mqtt-json
    timestampPath: ts
    fields: { lamp_power: lamp.power }
devices:
  - id: 340111-GVC-00007-D01
    driver: modbus-tcp
    profile: gas
    host: 127.0.0.1
    port: 5020
    unitId: 1
  - id: 340111-SPL-00012-D01
    driver: mqtt-json
    profile: lamp
    broker: mqtt://127.0.0.1:1884
    topic: poles/340111-SPL-00012/data
  - id: 340111-BRG-00001-D01
    driver: opcua
    endpoint: opc.tcp://127.0.0.1:4840
    points:
      - key: strain_1
        nodeId: ns=2;s=Strain1
`;
const ENV = { CT_MQTT_PASSWORD: "pw" };
/** No file system: profile dirs are empty, secret files unreadable. */
const io: ConfigIo = {
  readText: (p) => {
    throw new Error(`ENOENT: ${p}`);
  },
  listDir: () => [],
};
const load = (text: string) => () => loadEdgeConfig(text, FILE, ENV, io);

describe("fuzz: edge config loader", () => {
  fuzzConfigLoader(FILE, load, VALID, { text: 3_000, splices: 1_500, mutations: 1_500 });

  it.each([
    ["an alias before its anchor", "version: 1\ngateway: *g\n", 2],
    [
      "an alias bomb",
      'a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n',
      2,
    ],
  ])("regression: %s is a CityTwinError with file and line", (_name, text, line) => {
    expect(load(text)).toThrow(new RegExp(`edge\\.yaml: \\(line ${line}:\\d+\\): YAML`));
  });
});

describe("fuzz: pushed config messages", () => {
  const current = loadEdgeConfig(VALID, FILE, ENV, io);
  const body = JSON.parse(
    JSON.stringify(current, (k, v: unknown) => (k === "secrets" ? undefined : v)),
  ) as Record<string, unknown>;
  // The message carries the file's config, not the loader's additions.
  for (const k of ["file", "stateDirAbs", "profileById", "hash"]) delete body[k];
  const message = (b: unknown, hash?: string, extra: Record<string, unknown> = {}) =>
    Buffer.from(
      JSON.stringify({ v: 1, version: 9, hash: hash ?? sha256Hash(b), issuedAt: 1, body: b, ...extra }),
    );
  const check = (payload: Buffer) => {
    const r = checkPushedConfig(payload, current, ENV, io);
    if (!r.ok) expect(typeof r.message).toBe("string");
    return r;
  };

  it("the base body is accepted", () => {
    expect(check(message(body))).toMatchObject({ ok: true, version: 9 });
  });

  it("arbitrary bytes and JSON never throw", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
          fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? "null")),
        ),
        (p) => {
          expect(check(p).ok).toBe(false);
        },
      ),
      fuzzParams(2_000),
    );
  });

  it("mutated bodies with a correct hash: accepted, or rejected with a reason", () => {
    const text = JSON.stringify(body, null, 2);
    fc.assert(
      fc.property(mutatedConfig(text), fc.boolean(), (yamlText, hashOk) => {
        let b: unknown;
        try {
          // mutatedConfig serialises to YAML; the push carries JSON.
          b = JSON.parse(JSON.stringify(parse(yamlText)));
        } catch {
          b = {};
        }
        const r = check(message(b, hashOk ? undefined : `sha256:${"0".repeat(64)}`));
        if (r.ok) expect(hashOk).toBe(true);
      }),
      fuzzParams(1_000),
    );
  });
});

describe("fuzz: Modbus register decoding", () => {
  /** Documented rule (docs/edge-modbus.md, driver.ts): a decoded number that is NaN or ±Infinity
   * is published as null with quality "bad"; decoding itself never throws. */
  const publishable = (v: number | boolean | string) =>
    typeof v === "number" && !Number.isFinite(v) ? null : v;

  const pointArb = fc
    .record({
      type: fc.constantFrom(...MODBUS_TYPES),
      byteOrder: fc.constantFrom(...BYTE_ORDERS),
      bit: fc.integer({ min: 0, max: 15 }),
      length: fc.integer({ min: 1, max: 125 }),
      scale: fc.oneof(
        fc.constant(1),
        fc.constantFrom(0.1, 0.01, 10, -1, 1e-300, 1e300),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
      ),
      offset: fc.oneof(fc.constant(0), fc.double({ noNaN: true, noDefaultInfinity: true })),
    })
    .map((p): ResolvedPoint =>
      resolveModbusPoint(
        modbusPointSchema.parse({
          key: "v",
          address: 0,
          type: p.type,
          byteOrder: p.byteOrder,
          scale: p.scale,
          offset: p.offset,
          ...(p.type === "BIT" ? { bit: p.bit } : {}),
          ...(p.type === "STRING" ? { length: p.length } : {}),
        }),
      ),
    );

  /** Register words as a Modbus response carries them, plus out-of-range garbage. */
  const wordsArb = fc.oneof(
    { weight: 8, arbitrary: fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 130 }) },
    {
      weight: 1,
      arbitrary: fc.array(fc.oneof(fc.integer(), fc.double(), fc.constantFrom(NaN, Infinity, -1, 0x1_0000)), {
        maxLength: 8,
      }),
    },
    // Words that spell NaN and ±Infinity in FLOAT32 / FLOAT64.
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        [0x7fc0, 0x0000],
        [0x7f80, 0x0000],
        [0xff80, 0x0000],
        [0x7ff8, 0, 0, 0],
        [0x7ff0, 0, 0, 0],
        [0xfff0, 0, 0, 0],
        [0x0000, 0x7fc0],
        [0, 0, 0xf07f, 0],
      ),
    },
  );

  it("never throws; numbers are finite or published as null", () => {
    fc.assert(
      fc.property(pointArb, wordsArb, fc.nat(4), (p, words, start) => {
        const value = decodeRegisters(words, start, p);
        const checked = decodeRegistersChecked(words, start, p);
        expect(Object.is(publishable(checked.value), publishable(value))).toBe(true);
        if (p.type === "BIT") expect(typeof value).toBe("boolean");
        else if (p.type === "STRING") {
          expect(typeof value).toBe("string");
          expect((value as string).length).toBeLessThanOrEqual(p.width * 2);
        } else {
          expect(typeof value).toBe("number");
          const out = publishable(value);
          if (out !== null) expect(Number.isFinite(out)).toBe(true);
        }
        if (checked.rounded) expect(p.type === "INT64" || p.type === "UINT64").toBe(true);
      }),
      fuzzParams(12_000),
    );
  });

  it("NaN and Infinity registers decode to non-finite numbers, published as null", () => {
    const f32 = resolveModbusPoint(modbusPointSchema.parse({ key: "v", address: 0, type: "FLOAT32" }));
    const f64 = resolveModbusPoint(modbusPointSchema.parse({ key: "v", address: 0, type: "FLOAT64" }));
    expect(decodeRegisters([0x7fc0, 0], 0, f32)).toBeNaN();
    expect(decodeRegisters([0xff80, 0], 0, f32)).toBe(-Infinity);
    expect(decodeRegisters([0x7ff0, 0, 0, 0], 0, f64)).toBe(Infinity);
    expect(publishable(decodeRegisters([0x7fc0, 0], 0, f32))).toBeNull();
  });

  it("a point that cannot be read from a register table is a CityTwinError", () => {
    expect(() =>
      resolveModbusPoint(modbusPointSchema.parse({ key: "v", address: "00001", type: "FLOAT32" })),
    ).toThrow(CityTwinError);
  });
});
