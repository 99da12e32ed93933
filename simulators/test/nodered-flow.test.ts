/**
 * The ingest bench's hand-built Node-RED stack (simulators/bench/ingest/nodered-flow.ts),
 * without Node-RED: flows.json is valid JSON with the expected nodes and wiring, and the
 * `function` node's body, run in-process with a fake `msg`, turns a TelemetryBatch into the
 * same points the gateway writes (its line protocol for the same batch).
 */
import { describe, expect, it } from "vitest";
import { DeviceRegistry, pointLine, seriesKey } from "@citytwin/gateway";
import type { Quality, TelemetryBatch } from "@citytwin/model";
import { benchCity, deviceOf, telemetryBatch } from "../bench/broker/payload";
import { BATCH_TO_POINTS, nodeRedFlow, nodeRedLookup, nodeRedSettings } from "../bench/ingest/nodered-flow";

interface Point {
  measurement: string;
  tags: Record<string, string>;
  fields: { value?: number; quality: Quality };
  timestamp: number;
}

const city = benchCity(2, 3);
const lookup = nodeRedLookup(city);

/** Runs the function node's body as Node-RED would: `msg`, `global.get`, return value. */
function runFunction(payload: unknown): { payload: Point[] } | null {
  const fn = new Function("msg", "global", "node", BATCH_TO_POINTS) as (
    msg: { payload: unknown },
    global: { get(k: string): unknown },
    node: unknown,
  ) => { payload: Point[] } | null;
  return fn({ payload }, { get: (k) => (k === "citytwin" ? lookup : undefined) }, {});
}

/** The gateway's lines for a batch: DeviceRegistry series keys + pointLine. */
function gatewayLines(batch: TelemetryBatch): string[] {
  const reg = new DeviceRegistry(city);
  const out: string[] = [];
  for (const [deviceId, entries] of Object.entries(batch.devices))
    for (const e of entries)
      for (const [key, v] of Object.entries(e.values)) {
        const s = reg.sensors.find((x) => x.sensorId === `${deviceId}.${key}`)!;
        out.push(pointLine(s.series, v as number | null, e.q?.[key] ?? "good", e.ts));
      }
  return out;
}

const pointToLine = (p: Point) =>
  pointLine(seriesKey(p.measurement, p.tags), p.fields.value ?? null, p.fields.quality, p.timestamp);

describe("Node-RED flow generator", () => {
  it("writes flows.json with mqtt in → json → function → influxdb batch", () => {
    const flow = JSON.parse(
      JSON.stringify(
        nodeRedFlow({ mqttPort: 1883, topic: "ct/v1/bench/+/telemetry", influxPort: 8086, database: "nr" }),
      ),
    ) as { id: string; type: string; wires?: string[][]; [k: string]: unknown }[];
    const byType = new Map(flow.map((x) => [x.type, x]));
    expect([...byType.keys()].sort()).toEqual(
      ["function", "influxdb", "influxdb batch", "json", "mqtt in", "mqtt-broker", "tab"].sort(),
    );
    const next = (t: string) => flow.find((x) => x.id === byType.get(t)!.wires![0]![0])?.type;
    expect(next("mqtt in")).toBe("json");
    expect(next("json")).toBe("function");
    expect(next("function")).toBe("influxdb batch");
    expect(byType.get("influxdb batch")!.wires).toEqual([]);
    const mqttIn = byType.get("mqtt in")!;
    expect(mqttIn).toMatchObject({
      topic: "ct/v1/bench/+/telemetry",
      qos: "1",
      broker: byType.get("mqtt-broker")!.id,
    });
    expect(byType.get("mqtt-broker")).toMatchObject({ broker: "127.0.0.1", port: "1883" });
    expect(byType.get("influxdb")).toMatchObject({ port: "8086", database: "nr", influxdbVersion: "1.x" });
    expect(byType.get("influxdb batch")).toMatchObject({
      influxdb: byType.get("influxdb")!.id,
      precision: "ms",
    });
    const tab = byType.get("tab")!.id;
    for (const x of flow.filter((f) => f.wires !== undefined)) expect(x.z).toBe(tab);
  });

  it("writes a headless settings.js on loopback", () => {
    const s = nodeRedSettings(1880, "/tmp/lookup.json");
    expect(s).toContain("httpAdminRoot: false");
    expect(s).toContain('uiHost: "127.0.0.1"');
    expect(s).toContain('require("/tmp/lookup.json")');
  });
});

describe("Node-RED batch → points function", () => {
  it("gives the gateway's line protocol for the same batch", () => {
    const batch = telemetryBatch(1, 3, 2, 1, 7, 1_700_000_000_000);
    const out = runFunction(JSON.parse(JSON.stringify(batch)));
    expect(out).not.toBeNull();
    expect(out!.payload).toHaveLength(3 * 2 * 2);
    expect(out!.payload.map(pointToLine).sort()).toEqual(gatewayLines(batch).sort());
    expect(out!.payload[0]!.measurement).toBe("gas");
  });

  it("keeps quality for a null value and skips unknown devices, keys and non-numbers", () => {
    const dev = deviceOf(0, 0);
    const batch: TelemetryBatch = {
      v: 1,
      epoch: 1,
      seq: 1,
      sentAt: 5,
      devices: {
        [dev]: [
          { ts: 5, clock: "device", values: { ch4: null, gas_pressure: 1.5, nope: 1 }, q: { ch4: "bad" } },
        ],
        "no-such-device": [{ ts: 5, clock: "device", values: { ch4: 1 } }],
      },
    };
    const out = runFunction(batch)!;
    expect(out.payload.map(pointToLine).sort()).toEqual(
      gatewayLines({
        ...batch,
        devices: {
          [dev]: [{ ts: 5, clock: "device", values: { ch4: null, gas_pressure: 1.5 }, q: { ch4: "bad" } }],
        },
      }).sort(),
    );
    expect(
      runFunction({ ...batch, devices: { [dev]: [{ ts: 5, clock: "device", values: { ch4: "x" } }] } }),
    ).toBeNull();
  });
});
