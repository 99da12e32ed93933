/**
 * End to end, real parts only: protocol simulators (Modbus TCP, OPC UA, MQTT poles), two edge
 * agents, the gateway (Aedes) and a real influxd 1.6.7, all on loopback free ports, started by
 * the same launcher as `npm start`. Asserts readings of all three device kinds reach InfluxDB
 * with the right measurement, tags, fields, source timestamps and quality; sequence numbers have
 * no gaps; and a WebSocket client receives the same readings live.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { WebSocket } from "ws";
import { parseDocument } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cityModelSchema, type CityModel, type LiveMessage } from "@citytwin/model";
import { launchPlatform, type Platform } from "../simulators/src/demo/launch";
import { freePortBlock, freePorts } from "./support/free-port";
import { createDatabase, query, startInfluxd, type Influxd } from "./support/influxd";

const DB = "citytwin_e2e";
const RUN_MS = 25_000;

interface PolePayload {
  poleId: string;
  ts: number;
}

let influx: Influxd;
let platform: Platform;
let city: CityModel;
let badDeviceId = "";
const live = new Map<string, [number, unknown, string][]>(); // sensorId → [ts, value, quality]
const poleTimestamps = new Map<string, Set<number>>(); // pole asset id → payload ts seen on the field broker
let ws: WebSocket;
let field: mqtt.MqttClient;
let t0 = 0;
let observingSince = 0;

beforeAll(async () => {
  influx = await startInfluxd();
  await createDatabase(influx.url, DB);
  const [mqttPort, httpPort, opcuaPort, fieldBrokerPort] = await freePorts(4);
  const modbusPort = await freePortBlock(4); // one port per gateway, counting up
  const runtimeDir = mkdtempSync(join(tmpdir(), "citytwin-e2e-"));
  t0 = Date.now();
  platform = await launchPlatform({
    runtimeDir,
    seed: 42,
    scale: 1,
    host: "127.0.0.1",
    mqttPort: mqttPort!,
    httpPort: httpPort!,
    modbusPort,
    opcuaPort: opcuaPort!,
    fieldBrokerPort: fieldBrokerPort!,
    influx: { v1: { url: influx.url, database: DB } },
    logLevel: "info",
    // Point one Modbus device at a unit id no server answers, so its readings must arrive as `bad`.
    beforeEdgeStart: (files) => {
      const file = files[0]!;
      const doc = parseDocument(readFileSync(file, "utf8"));
      const devices = doc.get("devices") as {
        items: { get(k: string): unknown; set(k: string, v: unknown): void }[];
      };
      const modbus = devices.items.find((d) => d.get("driver") === "modbus-tcp")!;
      badDeviceId = String(modbus.get("id"));
      modbus.set("unitId", 250);
      writeFileSync(file, doc.toString());
    },
  });
  city = cityModelSchema.parse(JSON.parse(readFileSync(platform.cityFile, "utf8")));

  field = mqtt.connect(`mqtt://127.0.0.1:${fieldBrokerPort}`, { clientId: "e2e-field-observer" });
  field.on("message", (_topic, payload) => {
    const p = JSON.parse(payload.toString()) as PolePayload;
    let set = poleTimestamps.get(p.poleId);
    if (set === undefined) poleTimestamps.set(p.poleId, (set = new Set()));
    set.add(p.ts);
  });
  await field.subscribeAsync("poles/+/data", { qos: 1 });
  observingSince = Date.now();

  ws = new WebSocket(`${platform.url.replace(/^http/, "ws")}live?token=${platform.operatorTokens.viewer}`);
  ws.on("message", (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as LiveMessage;
    if (msg.type !== "readings") return;
    for (const [sensorId, ts, value, quality] of msg.r) {
      let list = live.get(sensorId);
      if (list === undefined) live.set(sensorId, (list = []));
      list.push([ts, value, quality]);
    }
  });
  await new Promise((resolve) => setTimeout(resolve, RUN_MS));
}, 240_000);

afterAll(async () => {
  ws?.close();
  await field?.endAsync();
  await platform?.stop();
  await influx?.stop();
});

interface Row {
  time: number;
  value: number | null;
  quality: string;
  [tag: string]: unknown;
}

async function rows(measurement: string, where: string): Promise<Row[]> {
  const res = await query(influx.url, DB, `SELECT * FROM "${measurement}" WHERE ${where}`, "ms");
  const series = res.results[0]?.series?.[0];
  if (series === undefined) return [];
  return series.values.map((v) => Object.fromEntries(series.columns.map((c, i) => [c, v[i]])) as Row);
}

function sensorsOf(protocol: string) {
  const devices = new Set(city.devices.filter((d) => d.protocol === protocol).map((d) => d.id));
  return city.sensors.filter((s) => devices.has(s.deviceId));
}

function expectTags(row: Row, sensorId: string) {
  const sensor = city.sensors.find((s) => s.id === sensorId)!;
  const asset = city.assets.find((a) => a.id === sensor.assetId)!;
  expect(row).toMatchObject({
    tenant: city.tenant,
    district: city.district.adcode,
    gateway: asset.gatewayId,
    device: sensor.deviceId,
    asset: asset.id,
    asset_type: asset.type,
    sensor: sensor.id,
  });
}

describe("end to end: devices → edge → gateway → InfluxDB and live push", () => {
  it("has two gateways with devices of all three kinds", () => {
    expect(platform.edgeConfigs).toHaveLength(2);
    for (const protocol of ["modbus-tcp", "opcua", "mqtt-pole"])
      expect(sensorsOf(protocol).length).toBeGreaterThan(0);
  });

  it("stores Modbus readings with edge timestamps, tags and good quality", async () => {
    const sensor = sensorsOf("modbus-tcp").find((s) => !s.deviceId.startsWith(badDeviceId))!;
    const got = await rows(sensor.domain, `"sensor" = '${sensor.id}'`);
    expect(got.length).toBeGreaterThanOrEqual(5);
    for (const row of got) {
      expectTags(row, sensor.id);
      expect(row.quality).toBe("good");
      expect(typeof row.value).toBe("number");
      expect(row.time).toBeGreaterThanOrEqual(t0);
      expect(row.time).toBeLessThanOrEqual(Date.now());
    }
  });

  it("stores a Modbus device that does not answer as bad quality with no value", async () => {
    const sensor = city.sensors.find((s) => s.deviceId === badDeviceId)!;
    const got = await rows(sensor.domain, `"sensor" = '${sensor.id}'`);
    expect(got.length).toBeGreaterThan(0);
    for (const row of got) {
      expect(row.quality).toBe("bad");
      expect(row.value).toBeNull();
    }
  });

  it("stores OPC UA bridge readings in the bridge measurement", async () => {
    const sensors = sensorsOf("opcua");
    for (const sensor of sensors) {
      const got = await rows("bridge", `"sensor" = '${sensor.id}'`);
      expect(got.length, sensor.id).toBeGreaterThanOrEqual(5);
      expectTags(got[0]!, sensor.id);
      const notGood = got.filter((r) => r.quality !== "good" || typeof r.value !== "number");
      expect(notGood, JSON.stringify(notGood.slice(0, 3))).toEqual([]);
      expect(got.every((r) => r.time >= t0 - 5_000 && r.time <= Date.now())).toBe(true);
    }
  });

  it("stores smart-pole readings with the pole's own timestamps", async () => {
    const sensor = sensorsOf("mqtt-pole").find((s) => s.key === "pm25")!;
    const got = await rows("environment", `"sensor" = '${sensor.id}'`);
    expect(got.length).toBeGreaterThanOrEqual(2);
    expectTags(got[0]!, sensor.id);
    const published = poleTimestamps.get(sensor.assetId);
    expect(published).toBeDefined();
    const observed = got.filter((r) => r.time > observingSince + 100);
    expect(observed.length).toBeGreaterThanOrEqual(2);
    for (const row of observed) expect(published!.has(row.time), String(row.time)).toBe(true);
    expect(got.every((r) => r.quality === "good")).toBe(true);
  });

  it("received every batch in sequence with no gaps or duplicates", async () => {
    const viewer = { authorization: `Bearer ${platform.operatorTokens.viewer}` };
    const res = await fetch(`${platform.url}api/gateways`, { headers: viewer });
    const body = (await res.json()) as {
      gateways: {
        id: string;
        last?: { seq: number };
        gaps: unknown[];
        missing: number;
        batches: number;
        duplicates: number;
      }[];
    };
    expect(body.gateways.map((g) => g.id).sort()).toEqual(city.gateways.map((g) => g.id).sort());
    for (const gw of body.gateways) {
      expect(gw.last?.seq, gw.id).toBeGreaterThan(5);
      expect(gw.gaps, gw.id).toEqual([]);
      expect(gw.missing, gw.id).toBe(0);
      expect(gw.duplicates, gw.id).toBe(0);
      // every sequence number from 1 to the last was ingested exactly once
      expect(gw.batches, gw.id).toBe(gw.last?.seq);
    }
    const admin = { authorization: `Bearer ${platform.operatorTokens.admin}` };
    const metrics = await (await fetch(`${platform.url}metrics`, { headers: admin })).text();
    expect(metrics).toMatch(/citytwin_ingest_seq_gaps_total(\{[^}]*\})? 0/);
  });

  it("pushed the same readings live over WebSocket", async () => {
    let compared = 0;
    for (const protocol of ["modbus-tcp", "opcua", "mqtt-pole"]) {
      const sensor = sensorsOf(protocol).find(
        (s) => (live.get(s.id)?.length ?? 0) > 0 && !s.deviceId.startsWith(badDeviceId),
      )!;
      expect(sensor, protocol).toBeDefined();
      const stored = await rows(sensor.domain, `"sensor" = '${sensor.id}'`);
      const byTime = new Map(stored.map((r) => [r.time, r]));
      for (const [ts, value, quality] of live.get(sensor.id)!) {
        const row = byTime.get(ts);
        if (row === undefined) continue; // pushed after the query ran
        expect(value).toBeCloseTo(row.value as number, 6);
        expect(quality).toBe(row.quality);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(3);
  });
});
