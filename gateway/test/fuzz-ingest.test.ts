/**
 * Property-based fuzzing of the ingest decoders (issue 6, "Bad input"): telemetry decode +
 * validation, gateway status parsing and the journal's record codec, over arbitrary bytes,
 * arbitrary JSON and structurally valid messages with mutated fields. fast-check prints the
 * seed and the shrunk counterexample on failure; rerun one with FUZZ_SEED=<seed>, scale the
 * run counts with FUZZ_SCALE (e.g. 10 for a long local run). Run counts: docs/reliability.md.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParams } from "../../model/test/fuzz-support";
import { MAX_TELEMETRY_BYTES, REJECT_REASON_CODES, type RejectReason } from "@citytwin/model";
import { FRAME_HEADER } from "@citytwin/model/node";
import { batchId, decodeJournalRecord, encodeJournalRecord } from "../src/journal/record";
import { DeviceRegistry } from "../src/ingest/registry";
import {
  parseStatus,
  parseTelemetry,
  validateReadings,
  type AcceptedReading,
  type IngestLimits,
  type RejectionTally,
} from "../src/ingest/validate";
import { GAS_DEV, GW, OTHER_DEV, POLE_DEV, tinyCity } from "./fixtures";

const params = fuzzParams;

const NOW = 1_750_000_000_000;
const limits: IngestLimits = {
  maxPayloadBytes: 16 * 1024,
  maxClockSkewMs: 5 * 60_000,
  maxAgeMs: 7 * 86_400_000,
};
const registry = new DeviceRegistry(tinyCity());

const WHOLE: ReadonlySet<RejectReason> = new Set(["PAYLOAD_TOO_LARGE", "MALFORMED_JSON", "SCHEMA"]);
const PER_READING: ReadonlySet<RejectReason> = new Set([
  "NON_FINITE",
  "UNKNOWN_DEVICE",
  "UNKNOWN_SENSOR",
  "WRONG_TYPE",
  "TIMESTAMP_RANGE",
]);

/** Readings (value entries) in a payload as JSON.parse sees it (a duplicate key counts once). */
function readingsIn(payload: Buffer): number {
  const raw = JSON.parse(payload.toString("utf8")) as { devices: Record<string, { values: object }[]> };
  let n = 0;
  for (const entries of Object.values(raw.devices))
    for (const e of entries) n += Object.keys(e.values).length;
  return n;
}

/** The properties every payload must satisfy; returns the verdict for extra checks. */
function judge(payload: Buffer, lim: IngestLimits = limits) {
  const parsed = parseTelemetry(payload, lim);
  if (!parsed.ok) {
    expect(WHOLE.has(parsed.reason), parsed.reason).toBe(true);
    expect(typeof parsed.message).toBe("string");
    return { ok: false as const, reason: parsed.reason };
  }
  const accepted: AcceptedReading[] = [];
  const rejected: RejectionTally = parsed.nonFinite;
  validateReadings(parsed.batch, GW, registry, lim, NOW, accepted, rejected);
  let rejectedCount = 0;
  for (const [reason, { count, sample }] of rejected) {
    expect(PER_READING.has(reason), reason).toBe(true);
    expect(count).toBeGreaterThan(0);
    expect(typeof sample).toBe("string");
    rejectedCount += count;
  }
  // Conservation: every reading of the batch is accepted or rejected, exactly once.
  expect(accepted.length + rejectedCount).toBe(readingsIn(payload));
  for (const r of accepted) {
    expect(r.sensor.sensorId.startsWith(`${GAS_DEV}.`) || r.sensor.sensorId.startsWith(`${POLE_DEV}.`)).toBe(
      true,
    );
    expect(r.ts).toBeGreaterThanOrEqual(NOW - lim.maxAgeMs);
    expect(r.ts).toBeLessThanOrEqual(NOW + lim.maxClockSkewMs);
    if (r.value === null) expect(r.quality).not.toBe("good");
    else expect(Number.isFinite(r.value)).toBe(true);
  }
  return { ok: true as const, accepted, rejected };
}

// ---------------------------------------------------------------------------------------------
// Generators. Payloads are built as JSON text so they can carry what JSON.stringify cannot:
// 1e999 (Infinity after parsing), duplicate keys, raw control characters.

const json = (v: unknown) => JSON.stringify(v);
/** `arb` once in `1 + n` draws, else undefined. */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number) =>
  fc.oneof({ weight: n, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

/** Device ids: registered, another gateway's, unknown, and hostile (wildcards, NUL, controls). */
const deviceIdArb = fc.oneof(
  { weight: 40, arbitrary: fc.constantFrom(GAS_DEV, POLE_DEV) },
  { weight: 4, arbitrary: fc.constant(OTHER_DEV) },
  { weight: 4, arbitrary: fc.constant("340111-GVC-09999-D01") },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(GAS_DEV, "340111-GVC-00001", ""),
        fc.constantFrom("+", "#", "/", "\0", "\u0001", "\n", " ", "/+/#", "\u202e", "é", "%00"),
      )
      .map(([a, b]) => a + b),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 24 }) },
);

/** Sensor keys: registered, unknown, hostile. */
const keyArb = fc.oneof(
  { weight: 40, arbitrary: fc.constantFrom("ch4", "gas_pressure", "pm25") },
  { weight: 6, arbitrary: fc.constantFrom("co", "x", "ch4_2") },
  { weight: 1, arbitrary: fc.constantFrom("ch4+", "ch4#", "ch4/", "ch4\0", "CH4", "__proto__") },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

/** Value text: numbers, 1e999, NaN strings, wrong types, long strings, nested garbage. */
const valueTextArb = fc.oneof(
  { weight: 30, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map(json) },
  { weight: 30, arbitrary: fc.integer({ min: -1000, max: 1000 }).map(json) },
  { weight: 6, arbitrary: fc.constantFrom("1e999", "-1e999", "1e308", "-0", "5e-324") },
  { weight: 4, arbitrary: fc.constantFrom('"NaN"', '"Infinity"', '"-inf"', '"nan"', '"+INF"') },
  { weight: 6, arbitrary: fc.constantFrom("true", "false", "null", '"high"', '""') },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }).map(json) },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.constantFrom("[]", "{}", "[1,2]"), fc.jsonValue({ maxDepth: 2 }).map(json)),
  },
);

/** Timestamps: in the window, at its edges, far future/past, negative, fractional, unsafe, text. */
const tsTextArb = fc.oneof(
  { weight: 40, arbitrary: fc.integer({ min: -60_000, max: 60_000 }).map((d) => json(NOW + d)) },
  {
    weight: 8,
    arbitrary: fc
      .constantFrom(
        NOW - limits.maxAgeMs,
        NOW - limits.maxAgeMs - 1,
        NOW + limits.maxClockSkewMs,
        NOW + limits.maxClockSkewMs + 1,
        0,
        1,
        NOW * 1000,
        8.64e15,
        Number.MAX_SAFE_INTEGER,
        2 ** 60,
      )
      .map(json),
  },
  { weight: 2, arbitrary: fc.constantFrom("-1", "1.5", "1e999", "-1e999", '"2025-01-01"', "null", "1e21") },
  { weight: 1, arbitrary: fc.double().map((d) => (Number.isFinite(d) ? json(d) : "1e999")) },
);

const qualityTextArb = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom('"good"', '"uncertain"', '"bad"') },
  { weight: 1, arbitrary: fc.constantFrom('"stale"', "1", "null") },
);

/** An object as JSON text from key/value pairs; `dup` repeats a key with another value. */
const objectText = (pairs: [string, string][]) => `{${pairs.map(([k, v]) => `${json(k)}:${v}`).join(",")}}`;

const valuesArb = fc
  .tuple(
    fc.array(fc.tuple(keyArb, valueTextArb), { minLength: 0, maxLength: 6 }),
    fc.option(valueTextArb, { nil: undefined }),
  )
  .map(([pairs, dup]) => {
    const first = pairs[0];
    // A duplicate key: JSON.parse keeps the last one.
    return objectText(first !== undefined && dup !== undefined ? [...pairs, [first[0], dup]] : pairs);
  });

const entryArb = fc
  .record({
    ts: tsTextArb,
    clock: fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom('"edge"', '"device"', '"server"') },
      { weight: 1, arbitrary: fc.constantFrom('"bogus"', "7") },
    ),
    values: valuesArb,
    q: fc.option(fc.array(fc.tuple(keyArb, qualityTextArb), { maxLength: 3 }).map(objectText), {
      nil: undefined,
    }),
    extra: rarely(fc.constantFrom('"x":1', '"values":{}', '"ts":1'), 40),
  })
  .map(({ ts, clock, values, q, extra }) => {
    const fields = [`"ts":${ts}`, `"clock":${clock}`, `"values":${values}`];
    if (q !== undefined) fields.push(`"q":${q}`);
    if (extra !== undefined) fields.push(extra);
    return `{${fields.join(",")}}`;
  });

const devicesArb = fc
  .array(
    fc.tuple(
      deviceIdArb,
      fc.oneof(
        { weight: 40, arbitrary: fc.array(entryArb, { minLength: 1, maxLength: 4 }) },
        fc.constant([]),
      ),
    ),
    { maxLength: 4 },
  )
  .map((devs) => `{${devs.map(([id, entries]) => `${json(id)}:[${entries.join(",")}]`).join(",")}}`);

/** Header field text: valid most of the time, else a wrong type or out-of-range value. */
const headerArb = (valid: string) =>
  fc.oneof(
    { weight: 60, arbitrary: fc.constant(valid) },
    { weight: 1, arbitrary: fc.constantFrom("0", "-1", "1.5", '"1"', "null", "1e999", "[]", "2") },
  );

const batchTextArb = fc
  .record({
    v: headerArb("1"),
    epoch: headerArb("1700000000000"),
    seq: headerArb("1"),
    sentAt: headerArb(String(NOW)),
    devices: devicesArb,
    drop: rarely(fc.constantFrom("v", "epoch", "seq", "sentAt", "devices"), 60),
    extra: rarely(fc.constantFrom('"extra":true', '"v":1', '"devices":{}'), 60),
  })
  .map(({ drop, extra, ...fields }) => {
    const parts = Object.entries(fields)
      .filter(([k]) => k !== drop)
      .map(([k, v]) => `"${k}":${v}`);
    if (extra !== undefined) parts.push(extra);
    return `{${parts.join(",")}}`;
  });

/** Valid text with one byte-level mutation: truncation, a flipped byte, an inserted control. */
const mutatedBytesArb = fc
  .tuple(batchTextArb, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("cut", "flip", "insert"))
  .map(([text, pos, byte, op]) => {
    const b = Buffer.from(text, "utf8");
    const at = pos % (b.length + 1);
    if (op === "cut") return b.subarray(0, at);
    if (op === "flip" && at < b.length) {
      const c = Buffer.from(b);
      c[at] = byte;
      return c;
    }
    return Buffer.concat([b.subarray(0, at), Buffer.from([byte]), b.subarray(at)]);
  });

describe("fuzz: telemetry decode + validation", () => {
  it("arbitrary bytes: never throws, whole-message reasons only", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }),
          // Around the size limit: a short random pattern repeated (cheaper than 16 KiB of random).
          fc
            .tuple(
              fc.integer({ min: limits.maxPayloadBytes - 8, max: limits.maxPayloadBytes + 8 }),
              fc.uint8Array({ minLength: 1, maxLength: 32 }),
            )
            .map(([n, pattern]) => Buffer.alloc(n, pattern)),
        ),
        (bytes) => {
          const r = judge(Buffer.from(bytes));
          if (bytes.length > limits.maxPayloadBytes)
            expect(r).toEqual({ ok: false, reason: "PAYLOAD_TOO_LARGE" });
        },
      ),
      params(12_000),
    );
  });

  it("arbitrary JSON: never throws; accepted or rejected with a documented reason", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        const r = judge(Buffer.from(JSON.stringify(value) ?? "null"));
        // Only an object with the batch shape can pass the schema.
        if (r.ok) expect(typeof value === "object" && value !== null && "devices" in value).toBe(true);
      }),
      params(12_000),
    );
  });

  it("structurally valid batches with mutated fields: counts are conserved", () => {
    if (process.env.FUZZ_STATS)
      fc.statistics(
        batchTextArb,
        (t) => {
          const r = judge(Buffer.from(t));
          return r.ok
            ? `ok accepted=${Math.min(r.accepted.length, 3)} rejected=${r.rejected.size > 0}`
            : r.reason;
        },
        5000,
      );
    fc.assert(
      fc.property(batchTextArb, (text) => {
        judge(Buffer.from(text, "utf8"));
      }),
      params(25_000),
    );
  });

  it("byte-level mutations of batches (truncated, corrupted, control bytes)", () => {
    fc.assert(
      fc.property(mutatedBytesArb, (b) => {
        judge(b);
      }),
      params(10_000),
    );
  });

  it("huge arrays and huge strings at the real payload limit", () => {
    const lim = { ...limits, maxPayloadBytes: MAX_TELEMETRY_BYTES };
    fc.assert(
      fc.property(
        fc.constantFrom("entries", "values", "string", "devices"),
        fc.integer({ min: 1, max: 25_000 }),
        (shape, n) => {
          let devices: string;
          const e = (values: string) => `{"ts":${NOW},"clock":"edge","values":${values}}`;
          if (shape === "entries") devices = `{"${GAS_DEV}":[${Array(n).fill(e('{"ch4":1}')).join(",")}]}`;
          else if (shape === "values")
            devices = `{"${GAS_DEV}":[${e(`{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(",")}}`)}]}`;
          else if (shape === "string") devices = `{"${GAS_DEV}":[${e(`{"ch4":"${"x".repeat(n * 12)}"}`)}]}`;
          else devices = `{${Array.from({ length: n }, (_, i) => `"${i}":[]`).join(",")}}`;
          const payload = Buffer.from(`{"v":1,"epoch":1,"seq":1,"sentAt":${NOW},"devices":${devices}}`);
          const r = judge(payload, lim);
          if (payload.length > MAX_TELEMETRY_BYTES) expect(r).toMatchObject({ reason: "PAYLOAD_TOO_LARGE" });
        },
      ),
      params(60),
    );
  });

  // Regression examples (each also a documented bad-input class; see bad-input.test.ts).
  it.each([
    ["NUL in a device id", `{"v":1,"epoch":1,"seq":1,"sentAt":${NOW},"devices":{"${GAS_DEV}\\u0000":[]}}`],
    [
      "MQTT wildcard in a device id",
      `{"v":1,"epoch":1,"seq":1,"sentAt":${NOW},"devices":{"${GAS_DEV}/#":[]}}`,
    ],
    // zod's record() skipped `__proto__` keys unchecked, dropping their readings silently.
    [
      "__proto__ as a device id",
      `{"v":1,"epoch":1,"seq":1,"sentAt":${NOW},"devices":{"__proto__":[{"ts":${NOW},"clock":"edge","values":{"ch4":1}}]}}`,
    ],
    [
      "__proto__ as a sensor key",
      `{"v":1,"epoch":1,"seq":1,"sentAt":${NOW},"devices":{"${GAS_DEV}":[{"ts":${NOW},"clock":"edge","values":{"ch4":1,"__proto__":2}}]}}`,
    ],
    ["1e999 header", `{"v":1,"epoch":1e999,"seq":1,"sentAt":${NOW},"devices":{}}`],
    ["devices: null", `{"v":1,"epoch":1,"seq":1,"sentAt":${NOW},"devices":null}`],
    ["entry: null", `{"v":1,"epoch":1,"seq":1,"sentAt":${NOW},"devices":{"${GAS_DEV}":[null]}}`],
    ["top-level null", "null"],
  ])("rejects whole: %s", (_name, text) => {
    expect(judge(Buffer.from(text))).toMatchObject({ ok: false, reason: "SCHEMA" });
  });

  it("duplicate keys: the last value counts, once", () => {
    const text = `{"v":1,"epoch":1,"seq":1,"sentAt":${NOW},"devices":{"${GAS_DEV}":[{"ts":${NOW},"clock":"edge","values":{"ch4":1e999,"ch4":2}}]}}`;
    const r = judge(Buffer.from(text));
    expect(r.ok && r.accepted.map((a) => a.value)).toEqual([2]);
  });
});

describe("fuzz: gateway status", () => {
  const validStatus = {
    v: 1,
    state: "online",
    reason: "connected",
    ts: NOW,
    agentVersion: "0.1.0",
    config: { version: 1, hash: "sha256:00" },
    epoch: 1,
  };
  const check = (payload: Buffer) => {
    const r = parseStatus(payload);
    if (r.ok) {
      expect(["online", "offline"]).toContain(r.status.state);
    } else {
      expect(["MALFORMED_JSON", "SCHEMA"]).toContain(r.reason);
      expect(REJECT_REASON_CODES).toContain(r.reason);
      expect(typeof r.message).toBe("string");
    }
  };
  it("arbitrary bytes and JSON never throw", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
          fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? "null")),
        ),
        check,
      ),
      params(6_000),
    );
  });
  it("mutated valid statuses never throw", () => {
    const fields = Object.keys(validStatus);
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom(...fields, "devices", "queue", "health", "extra"),
            fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom("__INF__", -1, "\0", "#", {})),
          ),
          { maxLength: 3 },
        ),
        (muts) => {
          const s: Record<string, unknown> = { ...validStatus };
          for (const [k, v] of muts) s[k] = v;
          // "__INF__" becomes 1e999 in the text: Infinity after JSON.parse.
          check(Buffer.from(JSON.stringify(s).replaceAll('"__INF__"', "1e999")));
        },
      ),
      params(6_000),
    );
  });
});

describe("fuzz: journal record codec", () => {
  it("encode/decode round-trips any payload; batchId never throws", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
          batchTextArb.map((t) => Buffer.from(t)),
        ),
        fc.string({ maxLength: 64 }),
        (payload, gw) => {
          const frame = encodeJournalRecord(7, NOW, gw, payload);
          const rec = decodeJournalRecord(frame.subarray(FRAME_HEADER));
          expect(rec.payload.equals(payload)).toBe(true);
          expect(rec.gatewayId).toBe(Buffer.from(gw, "utf8").toString("utf8"));
          const id = batchId(rec);
          if (id !== undefined)
            expect(
              Number.isSafeInteger(id.epoch) && id.epoch >= 0 && Number.isSafeInteger(id.seq) && id.seq >= 1,
            ).toBe(true);
        },
      ),
      params(4_000),
    );
  });
});
