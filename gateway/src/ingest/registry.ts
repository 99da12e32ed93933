/**
 * Device registry built once from the city model: O(1) lookups from (gateway, device, key)
 * to the sensor's metadata, its dense index (hot store slot), its thresholds and its
 * pre-escaped InfluxDB series key. Immutable after construction.
 */
import { sensorKind, type CityModel, type Domain, type LevelThresholds } from "@citytwin/model";
import { seriesKey } from "../influx/line-protocol";

export interface SensorEntry {
  /** Dense index 0..n-1; the hot store and live push address sensors by it. */
  index: number;
  sensorId: string;
  key: string;
  kind: string;
  domain: Domain;
  thresholds: LevelThresholds | undefined;
  /** `measurement,tag=v,…` escaped per the line-protocol spec; see influx/line-protocol.ts. */
  series: string;
}

export interface DeviceEntry {
  deviceId: string;
  gatewayId: string;
  assetId: string;
  assetType: string;
  district: string;
  sensors: Map<string, SensorEntry>;
}

export class DeviceRegistry {
  readonly tenant: string;
  readonly devices = new Map<string, DeviceEntry>();
  readonly sensors: SensorEntry[] = [];
  readonly sensorsById = new Map<string, SensorEntry>();
  /** Gateway ids named by the city model (gateways[] and device.gatewayId). */
  readonly gatewayIds = new Set<string>();

  constructor(city: CityModel) {
    this.tenant = city.tenant;
    const assets = new Map(city.assets.map((a) => [a.id, a]));
    for (const g of city.gateways) this.gatewayIds.add(g.id);
    for (const d of city.devices) {
      const asset = assets.get(d.assetId);
      this.gatewayIds.add(d.gatewayId);
      this.devices.set(d.id, {
        deviceId: d.id,
        gatewayId: d.gatewayId,
        assetId: d.assetId,
        assetType: asset?.type ?? "unknown",
        district: city.district.adcode,
        sensors: new Map(),
      });
    }
    for (const s of city.sensors) {
      const dev = this.devices.get(s.deviceId);
      if (dev === undefined) continue;
      const kind = sensorKind(s.kind);
      const domain = s.domain;
      const entry: SensorEntry = {
        index: this.sensors.length,
        sensorId: s.id,
        key: s.key,
        kind: s.kind,
        domain,
        thresholds: kind?.thresholds,
        series: seriesKey(domain, {
          tenant: city.tenant,
          district: dev.district,
          gateway: dev.gatewayId,
          device: dev.deviceId,
          asset: dev.assetId,
          asset_type: dev.assetType,
          sensor: s.id,
        }),
      };
      dev.sensors.set(s.key, entry);
      this.sensors.push(entry);
      this.sensorsById.set(s.id, entry);
    }
  }
}
