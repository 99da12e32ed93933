import { describe, expect, it } from "vitest";
import type { RejectReason } from "@citytwin/model";
import { DeviceRegistry } from "../src/ingest/registry";
import {
  parseTelemetry,
  validateReadings,
  type AcceptedReading,
  type RejectionTally,
} from "../src/ingest/validate";
import { GAS_DEV, GW, OTHER_DEV, POLE_DEV, batch, tinyCity } from "./fixtures";

const NOW = 1_750_000_000_000;
const limits = { maxPayloadBytes: 4096, maxClockSkewMs: 5 * 60_000, maxAgeMs: 7 * 24 * 3600_000 };
const registry = new DeviceRegistry(tinyCity());

function run(payload: string | Buffer) {
  const parsed = parseTelemetry(Buffer.isBuffer(payload) ? payload : Buffer.from(payload), limits);
  if (!parsed.ok)
    return { whole: parsed.reason, accepted: [] as AcceptedReading[], rejected: new Map() as RejectionTally };
  const accepted: AcceptedReading[] = [];
  const rejected = parsed.nonFinite;
  validateReadings(parsed.batch, GW, registry, limits, NOW, accepted, rejected);
  return { whole: undefined, accepted, rejected };
}

const entry = (values: Record<string, unknown>, extra: Record<string, unknown> = {}) => [
  { ts: NOW - 1000, clock: "edge", values, ...extra },
];
const json = (devices: Record<string, unknown>) => JSON.stringify(batch(1, devices, 1, NOW));

describe("telemetry validation", () => {
  const wholeCases: [string, string | Buffer, RejectReason][] = [
    ["payload over the size limit", Buffer.alloc(limits.maxPayloadBytes + 1, 32), "PAYLOAD_TOO_LARGE"],
    ["malformed JSON", '{"v":1,', "MALFORMED_JSON"],
    ["wrong schema (missing seq)", JSON.stringify({ v: 1, epoch: 1, sentAt: NOW, devices: {} }), "SCHEMA"],
    ["wrong wire version", JSON.stringify({ ...batch(1, {}, 1, NOW), v: 2 }), "SCHEMA"],
    ["unknown top-level key", JSON.stringify({ ...batch(1, {}, 1, NOW), extra: true }), "SCHEMA"],
  ];
  it.each(wholeCases)("rejects the whole message: %s", (_name, payload, reason) => {
    expect(run(payload).whole).toBe(reason);
  });

  const readingCases: [string, string, RejectReason, number][] = [
    [
      "1e999 (Infinity)",
      json({ [GAS_DEV]: [{ ts: NOW, clock: "edge", values: { ch4: "__INF__" } }] }).replace(
        '"__INF__"',
        "1e999",
      ),
      "NON_FINITE",
      1,
    ],
    ["string NaN", json({ [GAS_DEV]: entry({ ch4: "NaN" }) }), "NON_FINITE", 1],
    [
      "unknown device",
      json({ "340111-GVC-09999-D01": entry({ ch4: 1, gas_pressure: 2 }) }),
      "UNKNOWN_DEVICE",
      2,
    ],
    ["device of another gateway", json({ [OTHER_DEV]: entry({ ch4: 1 }) }), "UNKNOWN_DEVICE", 1],
    ["unknown sensor key", json({ [GAS_DEV]: entry({ co: 1 }) }), "UNKNOWN_SENSOR", 1],
    ["boolean for numeric kind", json({ [GAS_DEV]: entry({ ch4: true }) }), "WRONG_TYPE", 1],
    ["text for numeric kind", json({ [GAS_DEV]: entry({ ch4: "high" }) }), "WRONG_TYPE", 1],
    ["null value with good quality", json({ [GAS_DEV]: entry({ ch4: null }) }), "WRONG_TYPE", 1],
    [
      "timestamp in the future",
      json({ [GAS_DEV]: [{ ts: NOW + 10 * 60_000, clock: "edge", values: { ch4: 1 } }] }),
      "TIMESTAMP_RANGE",
      1,
    ],
    [
      "timestamp too old",
      json({
        [GAS_DEV]: [{ ts: NOW - 8 * 24 * 3600_000, clock: "edge", values: { ch4: 1, gas_pressure: 1 } }],
      }),
      "TIMESTAMP_RANGE",
      2,
    ],
  ];
  it.each(readingCases)("rejects the reading: %s", (_name, payload, reason, count) => {
    const r = run(payload);
    expect(r.whole).toBeUndefined();
    expect(r.accepted).toHaveLength(0);
    expect([...r.rejected.keys()]).toEqual([reason]);
    expect(r.rejected.get(reason)?.count).toBe(count);
  });

  it("accepts the valid readings of a partly bad batch and computes levels", () => {
    const r = run(
      json({
        [GAS_DEV]: [
          {
            ts: NOW - 500,
            clock: "edge",
            values: { ch4: 30, gas_pressure: null, co: 5 },
            q: { gas_pressure: "bad" },
          },
        ],
        [POLE_DEV]: entry({ pm25: 12 }),
        "340111-GVC-09999-D01": entry({ ch4: 1 }),
      }),
    );
    expect(r.whole).toBeUndefined();
    const got = r.accepted.map((a) => [a.sensor.sensorId, a.ts, a.value, a.quality, a.level]);
    expect(got).toEqual([
      [`${GAS_DEV}.ch4`, NOW - 500, 30, "good", "orange"],
      [`${GAS_DEV}.gas_pressure`, NOW - 500, null, "bad", "normal"],
      [`${POLE_DEV}.pm25`, NOW - 1000, 12, "good", "normal"],
    ]);
    expect(Object.fromEntries([...r.rejected].map(([k, v]) => [k, v.count]))).toEqual({
      UNKNOWN_SENSOR: 1,
      UNKNOWN_DEVICE: 1,
    });
  });

  it("keeps the registry's series key escaped and sorted", () => {
    expect(registry.sensorsById.get(`${GAS_DEV}.ch4`)?.series).toBe(
      `gas,asset=340111-GVC-00001,asset_type=GVC,device=${GAS_DEV},district=340111,gateway=gw-01,sensor=${GAS_DEV}.ch4,tenant=hefei`,
    );
  });
});
