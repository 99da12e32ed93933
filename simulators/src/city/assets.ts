/**
 * Instrumented assets, their devices and sensors. Gateways split the district at x = 0:
 * `gw-binhu-01` takes the west half, `gw-binhu-02` the east half.
 */
import {
  ASSET_TYPES,
  SENSOR_KINDS,
  assetId as makeAssetId,
  deviceId as makeDeviceId,
  kindOfKey,
  sensorId as makeSensorId,
  type Asset,
  type AssetType,
  type Device,
  type Domain,
  type Hierarchy,
  type LonLatH,
  type Owner,
  type Sensor,
  type SensorKindKey,
} from "@citytwin/model";
import type { Projection } from "../geo";
import type { Rng } from "../random";
import { BRIDGE_DECK_HEIGHT_M, BRIDGE_DEVICE_MODEL, BRIDGE_SENSORS } from "./bridge-sensors";
import { DEVICE_MODELS, type DeviceModelSpec } from "./device-models";
import type { Layout, StreetPiece, XY } from "./layout";
import { COMMUNITIES, OWNER_ORGS, PERSON_NAMES } from "./names";
import type { NetworkPlan } from "./networks";

export const GATEWAY_WEST = "gw-binhu-01";
export const GATEWAY_EAST = "gw-binhu-02";
const POLE_SPACING_M = 45;
/** Every third pole carries the environment sensor (D02). */
const ENV_EVERY_NTH_POLE = 3;
/** Full poles: every fourth pole has an EV charger (D03); every pole an SOS button (D04) and a tilt sensor (D05). */
const EV_EVERY_NTH_POLE = 4;

/** "basic": lamp controller + environment sensor (the seed-42 demo city); "full": every pole device. */
export type SmartPoles = "basic" | "full";

export interface Inventory {
  assets: Asset[];
  devices: Device[];
  sensors: Sensor[];
}

export function planInventory(
  layout: Layout,
  networks: NetworkPlan,
  proj: Projection,
  rng: Rng,
  adcode: string,
  smartPoles: SmartPoles = "basic",
): Inventory {
  const inv: Inventory = { assets: [], devices: [], sensors: [] };
  const serials: Partial<Record<AssetType, number>> = {};
  const owners = new Map<string, Owner>();

  const ownerFor = (domain: Domain, community: string): Owner => {
    const org = OWNER_ORGS[domain];
    const key = `${org}|${community}`;
    let owner = owners.get(key);
    if (owner === undefined) {
      owner = {
        org,
        person: rng.pick(PERSON_NAMES),
        phone: `0551-6${String(rng.int(0, 9_999_999)).padStart(7, "0")}`,
      };
      owners.set(key, owner);
    }
    return owner;
  };
  const hierarchy = (xy: XY): Hierarchy => {
    const quadrant = (xy[1] >= 0 ? 2 : 0) + (xy[0] >= 0 ? 1 : 0);
    const col = Math.floor((xy[0] + layout.width / 2) / 250) + 1;
    const row = Math.floor((xy[1] + layout.height / 2) / 200) + 1;
    return {
      city: "合肥市",
      district: "包河区",
      street: COMMUNITIES[quadrant] ?? COMMUNITIES[0],
      grid: `${adcode}-BH${String(Math.max(1, col)).padStart(2, "0")}${String(Math.max(1, row)).padStart(2, "0")}`,
    };
  };
  const pos = (xy: XY, h: number): LonLatH => [...proj.toLonLat(xy[0], xy[1]), h];

  const addAsset = (
    type: AssetType,
    xy: XY,
    height: number,
    names: { en: string; zh: string },
    ref: string | undefined,
  ): Asset => {
    const serial = (serials[type] ?? 0) + 1;
    serials[type] = serial;
    const h = hierarchy(xy);
    const asset: Asset = {
      id: makeAssetId(adcode, type, serial),
      type,
      name: `${names.en} #${serial}`,
      nameZh: `${names.zh}${serial}号`,
      position: pos(xy, height),
      hierarchy: h,
      owner: ownerFor(ASSET_TYPES[type].domain, h.street),
      gatewayId: xy[0] < 0 ? GATEWAY_WEST : GATEWAY_EAST,
      ...(ref === undefined ? {} : { ref }),
    };
    inv.assets.push(asset);
    return asset;
  };
  const addDevice = (
    asset: Asset,
    index: number,
    spec: Pick<DeviceModelSpec, "model" | "protocol" | "intervalMs">,
  ) => {
    const device: Device = {
      id: makeDeviceId(asset.id, index),
      assetId: asset.id,
      gatewayId: asset.gatewayId,
      protocol: spec.protocol,
      model: spec.model,
      intervalMs: spec.intervalMs,
    };
    inv.devices.push(device);
    return device;
  };
  const addSensor = (device: Device, key: string, position: LonLatH) => {
    const kind = kindOfKey(key) as SensorKindKey;
    inv.sensors.push({
      id: makeSensorId(device.id, key),
      deviceId: device.id,
      assetId: device.assetId,
      key,
      kind,
      domain: SENSOR_KINDS[kind].domain,
      position,
    });
  };
  const instrument = (asset: Asset, spec: DeviceModelSpec, index = 1) => {
    const device = addDevice(asset, index, spec);
    for (const key of spec.keys) addSensor(device, key, asset.position);
  };
  const streetName = (s: StreetPiece) => s.line.name;

  for (const pipe of networks.pipes) {
    const mid = pipe.path[Math.floor(pipe.path.length / 2)] ?? pipe.path[0];
    const a = pipe.path[0];
    const b = pipe.path[pipe.path.length - 1];
    if (mid === undefined || a === undefined || b === undefined) continue;
    const center: XY = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
    const n = streetName(pipe.street);
    if (pipe.network === "gas") {
      const asset = addAsset(
        "GPS",
        center,
        pipe.depth,
        { en: `Gas pipe DN${pipe.diameterMm}, ${n.en}`, zh: `${n.zh}燃气管段` },
        pipe.id,
      );
      instrument(asset, DEVICE_MODELS.gasPressure);
    } else if (pipe.network === "water") {
      const asset = addAsset(
        "WMN",
        center,
        pipe.depth,
        { en: `Water main DN${pipe.diameterMm}, ${n.en}`, zh: `${n.zh}供水干管` },
        pipe.id,
      );
      instrument(asset, DEVICE_MODELS.waterMonitor);
    }
  }
  for (const node of networks.nodes) {
    const n = streetName(node.street);
    if (node.kind === "valve_chamber") {
      const asset = addAsset(
        "GVC",
        node.xy,
        node.depth,
        { en: `Gas valve chamber, ${n.en}`, zh: `${n.zh}燃气阀门井` },
        node.id,
      );
      instrument(asset, DEVICE_MODELS.methane);
    } else if (node.kind === "manhole") {
      const asset = addAsset(
        "MH",
        node.xy,
        node.depth,
        { en: `Manhole by gas main, ${n.en}`, zh: `${n.zh}相邻空间窨井` },
        node.id,
      );
      instrument(asset, DEVICE_MODELS.methane);
    } else if (node.kind === "drainage_well" && node.monitored) {
      const asset = addAsset(
        "DWL",
        node.xy,
        node.depth,
        { en: `Drainage well, ${n.en}`, zh: `${n.zh}排水检查井` },
        node.id,
      );
      instrument(asset, DEVICE_MODELS.drainageLevel);
    }
  }

  for (const bridge of layout.bridges.filter((b) => b.monitored)) {
    const x = bridge.line.coord;
    const mid: XY = [x, (bridge.y0 + bridge.y1) / 2];
    const asset = addAsset(
      "BRG",
      mid,
      BRIDGE_DECK_HEIGHT_M,
      { en: `SHM station, ${bridge.name.en}`, zh: `${bridge.name.zh}健康监测站` },
      bridge.id,
    );
    const device = addDevice(asset, 1, { model: BRIDGE_DEVICE_MODEL, protocol: "opcua", intervalMs: 1000 });
    for (const s of BRIDGE_SENSORS) {
      addSensor(device, s.key, pos([x, bridge.y0 + (bridge.y1 - bridge.y0) * s.at], BRIDGE_DECK_HEIGHT_M));
    }
  }

  let poleCount = 0;
  const riverClear = layout.river.halfWidth + 20;
  for (const street of layout.streets) {
    const line = street.line;
    if (line.cls === "local") continue;
    const crossing = line.axis === "ns" ? layout.ew : layout.ns;
    const side = line.width / 2 - 1.5;
    for (let d = street.from + 20; d <= street.to - 5; d += POLE_SPACING_M) {
      if (line.axis === "ns" && Math.abs(d - layout.river.y) < riverClear) continue;
      if (crossing.some((c) => Math.abs(d - c.coord) < c.width / 2 + 3)) continue;
      const xy: XY = line.axis === "ns" ? [line.coord + side, d] : [d, line.coord + side];
      const asset = addAsset(
        "SPL",
        xy,
        0,
        { en: `Smart pole, ${line.name.en}`, zh: `${line.name.zh}智能杆` },
        street.id,
      );
      const full = smartPoles === "full";
      instrument(asset, full ? DEVICE_MODELS.poleLampSwitch : DEVICE_MODELS.poleLamp, 1);
      if (poleCount % ENV_EVERY_NTH_POLE === 0)
        instrument(asset, full ? DEVICE_MODELS.poleEnv6 : DEVICE_MODELS.poleEnv, 2);
      if (full) {
        if (poleCount % EV_EVERY_NTH_POLE === 0) instrument(asset, DEVICE_MODELS.poleEv, 3);
        instrument(asset, DEVICE_MODELS.poleSos, 4);
        instrument(asset, DEVICE_MODELS.poleTilt, 5);
      }
      poleCount++;
    }
  }
  return inv;
}
