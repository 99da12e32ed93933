/**
 * /api/replay before the hot store's window answers from a real InfluxDB 1.x (influxd 1.6.7):
 * each sensor's newest point at or before `at` within the 1 h lookback, level recomputed from
 * the kind's thresholds; inside the window it answers from the hot store.
 */
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replaySnapshotSchema } from "@citytwin/model";
import { createDatabase, querySeries, startInfluxd, type Influxd } from "../../test/support/influxd";
import { GAS_DEV, GW, POLE_DEV, batch } from "./fixtures";
import { authGet, connectEdge, eventually, startTestGateway, type TestGateway } from "./harness";

const DB = "citytwin";
const CH4 = `${GAS_DEV}.ch4`;
const PRESSURE = `${GAS_DEV}.gas_pressure`;
const PM25 = `${POLE_DEV}.pm25`;
const MIN = 60_000;
const NOW = Date.now();
let influx: Influxd;
let gw: TestGateway;
let edge: MqttClient;

beforeAll(async () => {
  influx = await startInfluxd();
  await createDatabase(influx.url, DB);
  gw = await startTestGateway({
    influx: { v1: { url: influx.url, database: DB }, flushIntervalMs: 100 },
    hotStore: { pointsPerSensor: 2 },
  });
  edge = await connectEdge(gw);
  const at = (m: number) => NOW - m * MIN;
  // Old history (later pushed out of the 2-point rings), then two recent points per sensor.
  const payload = batch(1, {
    [GAS_DEV]: [
      { ts: at(120), clock: "edge", values: { ch4: 60, gas_pressure: 200 } },
      { ts: at(90), clock: "edge", values: { ch4: 22, gas_pressure: null }, q: { gas_pressure: "bad" } },
      { ts: at(2), clock: "edge", values: { ch4: 1, gas_pressure: 201 } },
      { ts: at(1), clock: "edge", values: { ch4: 2, gas_pressure: 202 } },
    ],
    [POLE_DEV]: [
      { ts: at(100), clock: "edge", values: { pm25: 160 }, q: { pm25: "uncertain" } },
      { ts: at(3), clock: "edge", values: { pm25: 10 } },
      { ts: at(1), clock: "edge", values: { pm25: 11 } },
    ],
  });
  await edge.publishAsync(`ct/v1/hefei/${GW}/telemetry`, JSON.stringify(payload), { qos: 1 });
  await eventually(async () => {
    const s = await querySeries(influx.url, DB, `SELECT count("quality") FROM "gas", "environment"`);
    const n = s.reduce((sum, x) => sum + Number(x.values[0]?.[1] ?? 0), 0);
    return n === 11 ? true : undefined;
  }, 20_000);
}, 60_000);

afterAll(async () => {
  await edge?.endAsync();
  await gw?.stop();
  await influx?.stop();
});

async function replay(at: number) {
  const res = await authGet(new URL(`api/replay?at=${at}`, gw.addr.url));
  expect(res.status).toBe(200);
  return replaySnapshotSchema.parse(await res.json());
}

describe("replay from InfluxDB", () => {
  it("answers from InfluxDB before hotFrom, with levels recomputed per point", async () => {
    const snap = await replay(NOW - 80 * MIN);
    expect(snap.source).toBe("influxdb");
    expect(snap.hotFrom).toBe(NOW - 2 * MIN); // the latest of the rings' oldest points
    expect(snap.readings).toEqual([
      [CH4, NOW - 90 * MIN, 22, "good", "yellow"],
      [PRESSURE, NOW - 90 * MIN, null, "bad", "normal"],
      [PM25, NOW - 100 * MIN, 160, "uncertain", "orange"],
    ]);
    const older = await replay(NOW - 110 * MIN);
    expect(older.readings).toEqual([
      [CH4, NOW - 120 * MIN, 60, "good", "red"],
      [PRESSURE, NOW - 120 * MIN, 200, "good", "normal"],
    ]);
  });

  it("omits sensors whose last point is beyond the 1 h lookback", async () => {
    // Lookback (at - 1 h, at]: pm25's point 100 min ago lies exactly on the open bound.
    const snap = await replay(NOW - 40 * MIN);
    expect(snap.source).toBe("influxdb");
    expect(snap.readings.map((r) => r[0])).toEqual([CH4, PRESSURE]);
    expect((await replay(NOW - 20 * MIN)).readings).toEqual([]);
    expect((await replay(NOW - 200 * MIN)).readings).toEqual([]);
  });

  it("answers from the hot store inside its window", async () => {
    const snap = await replay(NOW - 1.5 * MIN);
    expect(snap.source).toBe("hot");
    expect(snap.readings).toEqual([
      [CH4, NOW - 2 * MIN, 1, "good", "normal"],
      [PRESSURE, NOW - 2 * MIN, 201, "good", "normal"],
      [PM25, NOW - 3 * MIN, 10, "good", "normal"],
    ]);
  });
});
