/**
 * What the broker bench sends: a bench city (gateways `gw-b001…`, each with GVC devices carrying
 * `ch4` and `gas_pressure`), realistic TelemetryBatch JSON for it, and platform commands.
 * The newest entry of a batch is stamped `ts = sentAt`, so a consumer that sees only readings
 * (the gateway's ingest) and one that sees the whole message (an MQTT subscriber) can both take
 * latency as receive time − send time (ms, Date.now on one host).
 */
import type { CityModel, Command, TelemetryBatch } from "@citytwin/model";

export const TENANT = "bench";
const ADCODE = "340111";
const pos: [number, number, number] = [117.28, 31.82, -1.5];
const hierarchy = { city: "Hefei", district: "Baohe", street: "Bench Rd", grid: "G01" };
const owner = { org: "Bench", person: "Bench", phone: "0" };

export const gatewayId = (i: number) => `gw-b${String(i + 1).padStart(3, "0")}`;
const assetOf = (g: number, d: number) => `${ADCODE}-GVC-${String(g * 100 + d + 1).padStart(5, "0")}`;
export const deviceOf = (g: number, d: number) => `${assetOf(g, d)}-D01`;

/** A city with `gateways` gateways × `devices` gas valve chambers (2 sensors each). */
export function benchCity(gateways: number, devices: number): CityModel {
  const city: CityModel = {
    schema: "citytwin.city/v1",
    seed: 1,
    tenant: TENANT,
    city: { name: "Hefei", nameZh: "合肥", adcode: "340100" },
    district: {
      name: "Baohe",
      nameZh: "包河区",
      adcode: ADCODE,
      center: [117.28, 31.82],
      bbox: [117.2, 31.7, 117.4, 31.9],
    },
    gateways: [],
    streets: [],
    areas: [],
    buildings: [],
    pipes: [],
    nodes: [],
    bridges: [],
    assets: [],
    devices: [],
    sensors: [],
  };
  for (let g = 0; g < gateways; g++) {
    const gw = gatewayId(g);
    city.gateways.push({ id: gw, name: gw, position: pos });
    for (let d = 0; d < devices; d++) {
      const assetId = assetOf(g, d);
      const deviceId = deviceOf(g, d);
      city.assets.push({
        id: assetId,
        type: "GVC",
        name: assetId,
        nameZh: assetId,
        position: pos,
        hierarchy,
        owner,
        gatewayId: gw,
      });
      city.devices.push({
        id: deviceId,
        assetId,
        gatewayId: gw,
        protocol: "modbus-tcp",
        model: "GD-1",
        intervalMs: 1000,
      });
      for (const key of ["ch4", "gas_pressure"] as const)
        city.sensors.push({
          id: `${deviceId}.${key}`,
          deviceId,
          assetId,
          key,
          kind: key,
          domain: "gas",
          position: pos,
        });
    }
  }
  return city;
}

/**
 * One batch from gateway `g`: `devices` devices × `entries` polls (1 s apart, newest at
 * `sentAt`) × 2 values = devices·entries·2 readings. Values stay far from alarm thresholds.
 */
export function telemetryBatch(
  g: number,
  devices: number,
  entries: number,
  epoch: number,
  seq: number,
  sentAt: number,
): TelemetryBatch {
  const out: TelemetryBatch = { v: 1, epoch, seq, sentAt, devices: {} };
  for (let d = 0; d < devices; d++) {
    const list = [];
    for (let e = entries - 1; e >= 0; e--) {
      const jitter = ((seq * 7 + d * 13 + e) % 100) / 100;
      list.push({
        ts: sentAt - e * 1000,
        clock: "device" as const,
        values: { ch4: 1.2 + jitter, gas_pressure: 310.5 + jitter * 4 },
      });
    }
    out.devices[deviceOf(g, d)] = list;
  }
  return out;
}

/** A platform command to gateway `g` (what the gateway publishes on `…/cmd/{name}`). */
export function command(g: number, n: number, issuedAt: number): Command {
  return {
    v: 1,
    id: `bench-${n}`,
    name: "write",
    target: { deviceId: deviceOf(g, 0), key: "gas_pressure" },
    args: { value: 300 + (n % 10) },
    issuedAt,
    issuedBy: "bench",
    timeoutMs: 30_000,
  };
}
