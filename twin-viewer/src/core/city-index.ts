/** Lookups over the city model that several views need (built once per load). */
import type { Asset, CityModel, Device, Sensor } from "@citytwin/model";

export interface CityIndex {
  assets: ReadonlyMap<string, Asset>;
  devices: ReadonlyMap<string, Device>;
  sensors: ReadonlyMap<string, Sensor>;
  sensorsByAsset: ReadonlyMap<string, readonly Sensor[]>;
  devicesByAsset: ReadonlyMap<string, readonly Device[]>;
  /** District names (hierarchy.district of the assets), sorted. */
  districts: readonly string[];
}

export function indexCity(city: CityModel): CityIndex {
  const sensorsByAsset = new Map<string, Sensor[]>();
  for (const s of city.sensors) {
    const list = sensorsByAsset.get(s.assetId) ?? [];
    list.push(s);
    sensorsByAsset.set(s.assetId, list);
  }
  const devicesByAsset = new Map<string, Device[]>();
  for (const d of city.devices) {
    const list = devicesByAsset.get(d.assetId) ?? [];
    list.push(d);
    devicesByAsset.set(d.assetId, list);
  }
  return {
    assets: new Map(city.assets.map((a) => [a.id, a])),
    devices: new Map(city.devices.map((d) => [d.id, d])),
    sensors: new Map(city.sensors.map((s) => [s.id, s])),
    sensorsByAsset,
    devicesByAsset,
    districts: [...new Set(city.assets.map((a) => a.hierarchy.district))].sort(),
  };
}
