/**
 * The v2 write path (official client, POST /api/v2/write) against a real server that speaks
 * it: VictoriaMetrics. VM names series `<measurement>_<field>` with tags as labels; it keeps
 * numeric fields only (the string field `quality` is stored as 0), so quality is checked on
 * the InfluxDB 1.x test.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import {
  exportSeries,
  flush,
  startVictoriaMetrics,
  type VictoriaMetrics,
} from "../../test/support/victoria-metrics";
import { GAS_DEV, GW, batch } from "./fixtures";
import { connectEdge, eventually, startTestGateway, type TestGateway } from "./harness";

let vm: VictoriaMetrics;
let gw: TestGateway;
let client: MqttClient;

beforeAll(async () => {
  vm = await startVictoriaMetrics();
  gw = await startTestGateway(
    {
      influx: {
        v2: { url: vm.url, org: "citytwin", bucket: "lifeline", tokenEnv: "CT_TEST_TOKEN" },
        flushIntervalMs: 100,
      },
    },
    { CT_TEST_TOKEN: "not-checked-by-vm" },
  );
  client = await connectEdge(gw);
});

afterAll(async () => {
  await client?.endAsync();
  await gw?.stop();
  await vm?.stop();
});

describe("gateway → InfluxDB v2 write API (VictoriaMetrics)", () => {
  it("stores values with tags as labels and source timestamps", async () => {
    const t0 = Date.now() - 5000;
    const payload = batch(1, {
      [GAS_DEV]: [
        { ts: t0, clock: "edge", values: { ch4: 7.25 } },
        {
          ts: t0 + 1000,
          clock: "edge",
          values: { ch4: 8.5, gas_pressure: null },
          q: { gas_pressure: "bad" },
        },
      ],
    });
    await client.publishAsync(`ct/v1/hefei/${GW}/telemetry`, JSON.stringify(payload), { qos: 1 });
    await gw.gateway.parts.pipeline.idle();
    for (const s of gw.gateway.parts.sinks) await s.flush();

    const series = await eventually(async () => {
      await flush(vm.url);
      const s = await exportSeries(vm.url, '{__name__="gas_value"}');
      return s.length > 0 ? s : undefined;
    });
    expect(series).toHaveLength(1);
    expect(series[0]?.metric).toEqual({
      __name__: "gas_value",
      tenant: "hefei",
      district: "340111",
      gateway: GW,
      device: GAS_DEV,
      asset: "340111-GVC-00001",
      asset_type: "GVC",
      sensor: `${GAS_DEV}.ch4`,
    });
    expect(series[0]?.timestamps).toEqual([t0, t0 + 1000]);
    expect(series[0]?.values).toEqual([7.25, 8.5]);
    // The null reading wrote a point with only its quality field.
    const quality = await exportSeries(vm.url, `{__name__="gas_quality",sensor="${GAS_DEV}.gas_pressure"}`);
    expect(quality[0]?.timestamps).toEqual([t0 + 1000]);
    expect(await gw.metric("citytwin_influx_points_written_total", { sink: "influx-v2" })).toBe(3);
    expect(await gw.metric("citytwin_influx_write_failures_total", { sink: "influx-v2" })).toBe(0);
  });
});
