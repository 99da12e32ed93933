/** Gateway in-process + real influxd 1.6.7: MQTT batch in, points with the documented schema out. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import type { HistoryResponse } from "@citytwin/model";
import {
  createDatabase,
  querySeries as query,
  rows,
  startInfluxd,
  type Influxd,
} from "../../test/support/influxd";
import { GAS_DEV, GW, POLE_DEV, batch } from "./fixtures";
import { connectEdge, authGet, eventually, startTestGateway, type TestGateway } from "./harness";

const DB = "citytwin";
let influx: Influxd;
let gw: TestGateway;
let client: MqttClient;

beforeAll(async () => {
  influx = await startInfluxd();
  await createDatabase(influx.url, DB);
  gw = await startTestGateway({ influx: { v1: { url: influx.url, database: DB }, flushIntervalMs: 100 } });
  client = await connectEdge(gw);
});

afterAll(async () => {
  await client?.endAsync();
  await gw?.stop();
  await influx?.stop();
});

describe("gateway → InfluxDB 1.x", () => {
  it("writes measurement, tags, fields and source timestamps", async () => {
    const t0 = Date.now() - 10_000;
    const payload = batch(1, {
      [GAS_DEV]: [
        { ts: t0, clock: "edge", values: { ch4: 12.5, gas_pressure: 210 } },
        { ts: t0 + 1000, clock: "edge", values: { ch4: 55, gas_pressure: null }, q: { gas_pressure: "bad" } },
      ],
      [POLE_DEV]: [{ ts: t0 + 500, clock: "device", values: { pm25: 80 }, q: { pm25: "uncertain" } }],
    });
    await client.publishAsync(`ct/v1/hefei/${GW}/telemetry`, JSON.stringify(payload), { qos: 1 });

    const gas = await eventually(async () => {
      const s = await query(influx.url, DB, `SELECT * FROM gas ORDER BY time ASC`);
      if (s[0] === undefined || s[0].values.length !== 4) return undefined;
      return rows(s[0]).sort(
        (a, b) => Number(a.time) - Number(b.time) || String(a.sensor).localeCompare(String(b.sensor)),
      );
    });
    const tags = {
      asset: "340111-GVC-00001",
      asset_type: "GVC",
      device: GAS_DEV,
      district: "340111",
      gateway: GW,
      tenant: "hefei",
    };
    expect(gas).toEqual([
      { time: t0, ...tags, sensor: `${GAS_DEV}.ch4`, value: 12.5, quality: "good" },
      { time: t0, ...tags, sensor: `${GAS_DEV}.gas_pressure`, value: 210, quality: "good" },
      { time: t0 + 1000, ...tags, sensor: `${GAS_DEV}.ch4`, value: 55, quality: "good" },
      { time: t0 + 1000, ...tags, sensor: `${GAS_DEV}.gas_pressure`, value: null, quality: "bad" },
    ]);
    const env = rows(
      (await query(influx.url, DB, `SELECT * FROM environment`))[0] ?? { name: "", columns: [], values: [] },
    );
    expect(env).toEqual([
      {
        time: t0 + 500,
        asset: "340111-SPL-00001",
        asset_type: "SPL",
        device: POLE_DEV,
        district: "340111",
        gateway: GW,
        tenant: "hefei",
        sensor: `${POLE_DEV}.pm25`,
        value: 80,
        quality: "uncertain",
      },
    ]);
    const fieldKeys = await query(influx.url, DB, `SHOW FIELD KEYS FROM gas`);
    expect(rows(fieldKeys[0] ?? { name: "", columns: [], values: [] })).toEqual([
      { fieldKey: "quality", fieldType: "string" },
      { fieldKey: "value", fieldType: "float" },
    ]);
    // The rows can be queryable a moment before the writer counts its acknowledged write.
    await expect.poll(() => gw.metric("citytwin_influx_points_written_total", { sink: "influx-v1" })).toBe(5);

    // History from the hot store, and from InfluxDB when the range reaches before it.
    const sensor = `${GAS_DEV}.ch4`;
    const hot = (await (
      await authGet(`${gw.addr.url}api/sensors/${sensor}/history?from=${t0}&to=${t0 + 5000}`)
    ).json()) as HistoryResponse;
    expect(hot).toEqual({
      sensorId: sensor,
      source: "hot",
      points: [
        [t0, 12.5, "good"],
        [t0 + 1000, 55, "good"],
      ],
    });
    const old = (await (
      await authGet(`${gw.addr.url}api/sensors/${sensor}/history?from=${t0 - 60_000}&to=${t0 + 5000}`)
    ).json()) as HistoryResponse;
    expect(old).toEqual({
      sensorId: sensor,
      source: "influxdb",
      points: [
        [t0, 12.5, "good"],
        [t0 + 1000, 55, "good"],
      ],
    });
  });
});
