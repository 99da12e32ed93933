/**
 * The hot-path telemetry check (src/ingest/telemetry-check.ts) against its specification,
 * telemetryBatchSchema: whatever the check accepts the schema accepts with the same data, and
 * well-formed batches do take the fast path. Batches are generated valid, then most get one of
 * a list of mutations (fast-check; FUZZ_SEED / FUZZ_SCALE as in fuzz-ingest.test.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParams } from "../../model/test/fuzz-support";
import { telemetryBatchSchema } from "@citytwin/model";
import { isWellFormedBatch } from "../src/ingest/telemetry-check";

type Obj = Record<string, unknown>;

const entryArb = fc.record(
  {
    ts: fc.nat({ max: 2 ** 45 }),
    clock: fc.constantFrom("device", "server", "edge"),
    values: fc.dictionary(
      fc.constantFrom("ch4", "gas_pressure", "pm25", "x", "a_1"),
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.string({ maxLength: 8 }),
      ),
    ),
    q: fc.dictionary(fc.constantFrom("ch4", "pm25"), fc.constantFrom("good", "uncertain", "bad", "stale")),
  },
  { requiredKeys: ["ts", "clock", "values"] },
);

const batchArb = fc.record({
  v: fc.constant(1),
  epoch: fc.nat(),
  seq: fc.integer({ min: 1, max: 2 ** 40 }),
  sentAt: fc.nat(),
  devices: fc.dictionary(
    fc.constantFrom("340111-GVC-00003-D01", "340111-SPL-00012-D02", "700001-MH-00001-D10"),
    fc.array(entryArb, { minLength: 1, maxLength: 3 }),
  ),
});

/** One way to break (or not) a batch; `x` is a deep copy the mutation may change. */
const MUTATIONS: ((x: Obj) => void)[] = [
  () => undefined,
  (x) => delete x.seq,
  (x) => (x.extra = 1),
  (x) => (x.v = 2),
  (x) => (x.seq = 0),
  (x) => (x.epoch = -1),
  (x) => (x.sentAt = 1.5),
  (x) => (x.seq = 2 ** 53),
  (x) => (x.seq = "3"),
  (x) => (x.devices = []),
  (x) => (x.devices = null),
  (x) => ((x.devices as Obj)["340111-gvc-00003-D01"] = [{ ts: 1, clock: "edge", values: {} }]),
  (x) => ((x.devices as Obj)["340111-GVC-00003-D01"] = []),
  (x) => ((x.devices as Obj)["340111-GVC-00003-D01"] = {}),
  (x) => ((x.devices as Obj)["340111-GVC-00003-D01"] = [null]),
  (x) => ((x.devices as Obj)["340111-GVC-00003-D01"] = [{ ts: 1, clock: "gps", values: {} }]),
  (x) => ((x.devices as Obj)["340111-GVC-00003-D01"] = [{ ts: -1, clock: "edge", values: {} }]),
  (x) => ((x.devices as Obj)["340111-GVC-00003-D01"] = [{ ts: 1, clock: "edge", values: { CH4: 1 } }]),
  (x) => ((x.devices as Obj)["340111-GVC-00003-D01"] = [{ ts: 1, clock: "edge", values: { ch4: [1] } }]),
  (x) =>
    ((x.devices as Obj)["340111-GVC-00003-D01"] = [
      { ts: 1, clock: "edge", values: { ch4: "x".repeat(257) } },
    ]),
  (x) =>
    ((x.devices as Obj)["340111-GVC-00003-D01"] = [
      { ts: 1, clock: "edge", values: { ch4: "x".repeat(256) } },
    ]),
  (x) =>
    ((x.devices as Obj)["340111-GVC-00003-D01"] = [{ ts: 1, clock: "edge", values: {}, q: { ch4: "ok" } }]),
  (x) => ((x.devices as Obj)["340111-GVC-00003-D01"] = [{ ts: 1, clock: "edge", values: {}, q: null }]),
  (x) => ((x.devices as Obj)["340111-GVC-00003-D01"] = [{ ts: 1, clock: "edge", values: {}, more: 1 }]),
  (x) => ((x.devices as Obj)["340111-GVC-00003-D01"] = [{ ts: 1, clock: "edge" }]),
];

describe("hot-path telemetry check", () => {
  it("accepts only what telemetryBatchSchema accepts, with the same data", () => {
    let fast = 0;
    let runs = 0;
    fc.assert(
      fc.property(batchArb, fc.nat({ max: MUTATIONS.length - 1 }), (batch, m) => {
        const x = structuredClone(batch) as Obj;
        MUTATIONS[m]!(x);
        const parsed = telemetryBatchSchema.safeParse(x);
        runs++;
        if (isWellFormedBatch(x)) {
          fast++;
          expect(parsed.success).toBe(true);
          expect(parsed.data).toEqual(x);
        }
        if (m === 0) expect(isWellFormedBatch(x)).toBe(true); // the unmutated batch takes the fast path
      }),
      fuzzParams(2000),
    );
    expect(fast).toBeGreaterThan(runs / 20); // the property was exercised on accepted batches
  });
});
