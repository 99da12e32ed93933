/**
 * The stack a field engineer builds by hand, as Node-RED configuration: a flow
 * `mqtt in` (the edge agents' telemetry topics, QoS 1) → `json` → `function` (one
 * TelemetryBatch → points of the CityTwin InfluxDB schema) → `influxdb batch`
 * (node-red-contrib-influxdb, v1.x), plus a headless settings.js (no editor, no HTTP nodes).
 *
 * The function body (BATCH_TO_POINTS) is the part written by hand: it looks the device up in
 * a table derived from the city model (global context `citytwin`, loaded by settings.js) and
 * emits measurement = domain, the gateway's tags, `value` (float) and `quality`, ts in ms, so
 * the gateway's `SELECT count(value)` counts the same points.
 */
import type { CityModel } from "@citytwin/model";

/** Per device: its fixed tags and, per sensor key, the sensor id and measurement (domain). */
export type NodeRedLookup = Record<
  string,
  { tags: Record<string, string>; sensors: Record<string, { id: string; domain: string }> }
>;

/** The table the function node reads: the same tags the gateway's DeviceRegistry builds. */
export function nodeRedLookup(city: CityModel): NodeRedLookup {
  const assets = new Map(city.assets.map((x) => [x.id, x]));
  const out: NodeRedLookup = {};
  for (const d of city.devices)
    out[d.id] = {
      tags: {
        tenant: city.tenant,
        district: city.district.adcode,
        gateway: d.gatewayId,
        device: d.id,
        asset: d.assetId,
        asset_type: assets.get(d.assetId)?.type ?? "unknown",
      },
      sensors: {},
    };
  for (const s of city.sensors) {
    const dev = out[s.deviceId];
    if (dev !== undefined) dev.sensors[s.key] = { id: s.id, domain: s.domain };
  }
  return out;
}

/**
 * The hand-written `function` node (plain JavaScript, Node-RED's function sandbox: `msg`,
 * `global`, `node`). Unknown devices or keys and non-numeric values are skipped, a `null`
 * value writes `quality` only, like the gateway; no further validation (no clock range, no
 * dedup), which is what a typical hand-built flow does.
 */
export const BATCH_TO_POINTS = `const lookup = global.get("citytwin");
const batch = msg.payload;
const points = [];
for (const deviceId in batch.devices) {
  const dev = lookup[deviceId];
  if (dev === undefined) continue;
  for (const entry of batch.devices[deviceId]) {
    for (const key in entry.values) {
      const sensor = dev.sensors[key];
      const v = entry.values[key];
      if (sensor === undefined || (v !== null && (typeof v !== "number" || !Number.isFinite(v)))) continue;
      const quality = (entry.q && entry.q[key]) || "good";
      const fields = v === null ? { quality } : { value: v, quality };
      points.push({
        measurement: sensor.domain,
        tags: Object.assign({ sensor: sensor.id }, dev.tags),
        fields,
        timestamp: entry.ts,
      });
    }
  }
}
if (points.length === 0) return null;
msg.payload = points;
return msg;
`;

export interface NodeRedFlowOptions {
  mqttPort: number;
  /** MQTT topic filter, e.g. `ct/v1/bench/+/telemetry`. */
  topic: string;
  influxPort: number;
  database: string;
}

/** flows.json: one tab, broker and InfluxDB config nodes, four wired nodes. */
export function nodeRedFlow(o: NodeRedFlowOptions): Record<string, unknown>[] {
  const z = "ct-tab";
  return [
    { id: z, type: "tab", label: "CityTwin ingest (hand-built)" },
    {
      id: "ct-broker",
      type: "mqtt-broker",
      name: "mosquitto",
      broker: "127.0.0.1",
      port: String(o.mqttPort),
      clientid: "node-red-ingest",
      autoConnect: true,
      usetls: false,
      protocolVersion: "4",
      keepalive: "60",
      cleansession: true,
    },
    {
      id: "ct-influx",
      type: "influxdb",
      hostname: "127.0.0.1",
      port: String(o.influxPort),
      protocol: "http",
      database: o.database,
      name: "influxd",
      usetls: false,
      influxdbVersion: "1.x",
    },
    {
      id: "ct-in",
      type: "mqtt in",
      z,
      name: "telemetry",
      topic: o.topic,
      qos: "1",
      datatype: "utf8",
      broker: "ct-broker",
      nl: false,
      rap: false,
      inputs: 0,
      x: 120,
      y: 80,
      wires: [["ct-json"]],
    },
    {
      id: "ct-json",
      type: "json",
      z,
      name: "",
      property: "payload",
      action: "obj",
      x: 290,
      y: 80,
      wires: [["ct-fn"]],
    },
    {
      id: "ct-fn",
      type: "function",
      z,
      name: "batch → points",
      func: BATCH_TO_POINTS,
      outputs: 1,
      x: 460,
      y: 80,
      wires: [["ct-out"]],
    },
    {
      id: "ct-out",
      type: "influxdb batch",
      z,
      influxdb: "ct-influx",
      precision: "ms",
      retentionPolicy: "",
      name: "citytwin schema",
      x: 650,
      y: 80,
      wires: [],
    },
  ];
}

/** flows_cred.json (unencrypted, `credentialSecret: false`): empty InfluxDB credentials. */
export const nodeRedCredentials = () => ({ "ct-influx": { username: "", password: "" } });

/**
 * settings.js: loopback only, editor and admin API off (`httpAdminRoot: false`), no HTTP-in
 * nodes, flows from `flows.json`, the lookup table as global context `citytwin`.
 */
export function nodeRedSettings(port: number, lookupFile: string): string {
  return `module.exports = {
  uiHost: "127.0.0.1",
  uiPort: ${port},
  httpAdminRoot: false,
  httpNodeRoot: false,
  flowFile: "flows.json",
  credentialSecret: false,
  logging: { console: { level: "info", metrics: false, audit: false } },
  functionGlobalContext: { citytwin: require(${JSON.stringify(lookupFile)}) },
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
  telemetry: { enabled: false },
  diagnostics: { enabled: false },
};
`;
}
