/**
 * Telemetry payloads for the decode-thread tests: mostly batches mixing good and bad readings
 * (unknown devices and keys, non-finite values, timestamps outside the clock-skew and age
 * windows around `NOW`), some junk JSON, text and oversized payloads; and a one-thread
 * decode pool over the tiny city's registry.
 */
import fc from "fast-check";
import { pino } from "pino";
import { DecodePool } from "../src/ingest/decode-pool";
import { DeviceRegistry } from "../src/ingest/registry";
import type { IngestLimits } from "../src/ingest/validate";
import { GatewayMetrics } from "../src/metrics";
import { GAS_DEV, OTHER_DEV, POLE_DEV, tinyCity } from "./fixtures";

export const NOW = 1_750_000_000_000;
export const limits: IngestLimits = { maxPayloadBytes: 4096, maxClockSkewMs: 300_000, maxAgeMs: 86_400_000 };
const valueText = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => JSON.stringify(v)),
  },
  { weight: 3, arbitrary: fc.constantFrom("1e999", '"NaN"', "null", "true", '"x"') },
);
const entryText = fc
  .record({
    ts: fc.oneof(
      fc.integer({ min: -60_000, max: 60_000 }).map((d) => NOW + d),
      fc.constant(NOW - 2 * 86_400_000),
    ),
    values: fc.dictionary(fc.constantFrom("ch4", "gas_pressure", "pm25", "co"), valueText, { maxKeys: 3 }),
    q: fc.option(fc.constantFrom("good", "uncertain", "bad", "stale")),
  })
  .map(({ ts, values, q }) => {
    const vals = Object.entries(values).map(([k, v]) => `${JSON.stringify(k)}:${v}`);
    const quality =
      q === null ? "" : `,"q":{${Object.keys(values).map((k) => `${JSON.stringify(k)}:"${q}"`)}}`;
    return `{"ts":${ts},"clock":"edge","values":{${vals.join(",")}}${quality}}`;
  });
export const payloadArb = fc.oneof(
  {
    weight: 20,
    arbitrary: fc
      .tuple(
        fc.nat(1000),
        fc.dictionary(
          fc.constantFrom(GAS_DEV, POLE_DEV, OTHER_DEV, "nope"),
          fc.array(entryText, { minLength: 1, maxLength: 3 }),
          {
            minKeys: 1,
            maxKeys: 3,
          },
        ),
      )
      .map(([seq, devices]) => {
        const devs = Object.entries(devices).map(([d, es]) => `${JSON.stringify(d)}:[${es.join(",")}]`);
        return `{"v":1,"epoch":1,"seq":${seq},"sentAt":${NOW},"devices":{${devs.join(",")}}}`;
      }),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant(" ".repeat(limits.maxPayloadBytes + 1)) },
);

export const registry = new DeviceRegistry(tinyCity());
export const silent = pino({ level: "silent" });

/** A one-thread pool (not started) that replaces a failed thread after `restartMs`. */
export function newPool(restartMs = 100): DecodePool {
  return new DecodePool({
    threads: 1,
    registry,
    limits,
    logger: silent,
    metrics: new GatewayMetrics(),
    restartMs,
  });
}
