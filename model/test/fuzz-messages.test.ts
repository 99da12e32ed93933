/**
 * Property-based fuzzing of the wire-contract decoders that take input from outside
 * (issue 6, "Bad input"): the operator's command request (POST /api/gateways/{id}/commands/{name}),
 * the command an edge receives, command results and config-push messages. Each schema must
 * answer every input with success or a zod error (never an exception), and what it accepts must
 * satisfy the contract. Seeds are printed on failure; FUZZ_SEED / FUZZ_SCALE as in
 * gateway/test/fuzz-ingest.test.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParams } from "./fuzz-support";
import {
  DEVICE_ID,
  MAX_COMMAND_TIMEOUT_MS,
  SENSOR_KEY,
  WIRE_VERSION,
  commandRequestSchema,
  commandResultSchema,
  commandSchema,
  gatewayConfigMessageSchema,
} from "../src";

const params = fuzzParams;

/** Values JSON.parse can produce that a schema must refuse or handle (1e999 parses to Infinity). */
const hostile = fc.constantFrom(
  Infinity,
  -Infinity,
  -0,
  Number.MAX_SAFE_INTEGER + 2,
  "",
  "\0",
  "+",
  "#",
  "a/b",
  "x".repeat(5000),
  [],
  {},
  null,
  true,
  "NaN",
);

/** Sets `value` at a random existing or new key, or replaces the whole object. */
function mutated(base: Record<string, unknown>, extraKeys: string[]) {
  const keys = [...Object.keys(base), ...extraKeys];
  return fc
    .array(fc.tuple(fc.constantFrom(...keys), fc.oneof(hostile, fc.jsonValue({ maxDepth: 3 }))), {
      maxLength: 3,
    })
    .map((muts) => {
      const out: Record<string, unknown> = structuredClone(base);
      for (const [k, v] of muts) out[k] = v;
      return out;
    });
}

/** Anything JSON.parse can return, including Infinity from 1e999. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  // Every number becomes ±1e999 in the JSON text, i.e. ±Infinity after parsing.
  fc
    .jsonValue({ maxDepth: 2 })
    .map(
      (v) =>
        JSON.parse(
          (
            JSON.stringify(v, (_k, x: unknown) =>
              typeof x === "number" ? `__INF${x < 0 ? "-" : ""}__` : x,
            ) ?? "null"
          )
            .replaceAll('"__INF__"', "1e999")
            .replaceAll('"__INF-__"', "-1e999"),
        ) as unknown,
    ),
);

/** Accepted data survives JSON (no Infinity turned into null, no undefined in arrays). */
const jsonRoundTrips = (v: unknown) => {
  const text = JSON.stringify(v);
  expect(JSON.stringify(JSON.parse(text))).toBe(text);
  expect(text).not.toMatch(/\bnull\b/);
};

describe("fuzz: command request (POST /api/gateways/{id}/commands/{name})", () => {
  const valid = {
    target: { deviceId: "340111-SPL-00001-D01", key: "lamp" },
    args: { on: true, level: 40, coils: [true, false], regs: [1, 2, 3] },
    timeoutMs: 2000,
  };
  const check = (input: unknown) => {
    const r = commandRequestSchema.safeParse(input);
    if (!r.success) {
      expect(r.error.issues.length).toBeGreaterThan(0);
      return;
    }
    const v = r.data;
    jsonRoundTrips(v);
    if (v.target !== undefined) {
      expect(v.target.deviceId).toMatch(DEVICE_ID);
      if (v.target.key !== undefined) expect(v.target.key).toMatch(SENSOR_KEY);
    }
    if (v.timeoutMs !== undefined) expect(v.timeoutMs).toBeLessThanOrEqual(MAX_COMMAND_TIMEOUT_MS);
    for (const a of Object.values(v.args)) {
      for (const x of Array.isArray(a) ? a : [a])
        if (typeof x === "number") expect(Number.isFinite(x)).toBe(true);
    }
    // What the gateway builds from an accepted request is a valid command.
    const cmd = { v: WIRE_VERSION, id: "c-1", name: "ping", issuedAt: 1, issuedBy: "op", ...v };
    expect(commandSchema.safeParse(cmd).success).toBe(true);
  };
  it("arbitrary JSON", () => {
    fc.assert(fc.property(anyJson, check), params(4_000));
  });
  it("mutated valid requests", () => {
    fc.assert(fc.property(mutated(valid, ["extra", "__proto__"]), check), params(4_000));
  });
  it("hostile targets and args", () => {
    fc.assert(
      fc.property(
        fc.record({
          target: fc.record({
            deviceId: fc.oneof(fc.string(), hostile),
            key: fc.oneof(fc.string(), hostile),
          }),
          args: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(hostile, fc.jsonValue({ maxDepth: 2 }))),
          timeoutMs: fc.oneof(fc.integer(), hostile),
        }),
        check,
      ),
      params(2_000),
    );
  });
});

describe("fuzz: command, command result and config-push messages", () => {
  const command = {
    v: 1,
    id: "c-1",
    name: "modbus-write",
    target: { deviceId: "340111-GVC-00001-D01", key: "valve" },
    args: { value: 1 },
    issuedAt: 1,
    issuedBy: "op",
    timeoutMs: 5000,
  };
  const result = { v: 1, id: "c-1", ok: false, error: { code: "TIMEOUT", message: "x" }, completedAt: 2 };
  const config = {
    v: 1,
    version: 3,
    hash: `sha256:${"0".repeat(64)}`,
    issuedAt: 1,
    body: { version: 1, devices: [] },
  };
  it("command (what the edge receives on cmd/{name})", () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, mutated(command, ["extra"])), (input) => {
        const r = commandSchema.safeParse(input);
        if (r.success) {
          jsonRoundTrips(r.data);
          expect(r.data.timeoutMs).toBeGreaterThan(0);
          expect(r.data.id.length).toBeGreaterThan(0);
        }
      }),
      params(3_000),
    );
  });
  it("command result (what the gateway receives on cmd/{name}/result)", () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, mutated(result, ["value", "extra"])), (input) => {
        const r = commandResultSchema.safeParse(input);
        if (r.success) jsonRoundTrips(r.data);
      }),
      params(2_000),
    );
  });
  it("config-push message envelope", () => {
    fc.assert(
      fc.property(fc.oneof(anyJson, mutated(config, ["extra"])), (input) => {
        const r = gatewayConfigMessageSchema.safeParse(input);
        if (r.success) {
          expect(r.data.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
          expect(typeof r.data.body === "object" && !Array.isArray(r.data.body)).toBe(true);
        }
      }),
      params(2_000),
    );
  });
});
