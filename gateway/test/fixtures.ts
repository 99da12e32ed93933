/** A tiny city for gateway tests: two gateways, a gas valve chamber and a smart pole. */
import type { CityModel } from "@citytwin/model";

const hierarchy = { city: "Hefei", district: "Baohe", street: "Ziyun Rd", grid: "G01" };
const owner = { org: "Hefei Gas", person: "Wang", phone: "0551-0000" };

export const TENANT = "hefei";
export const GW = "gw-01";
export const GW2 = "gw-02";
export const GAS_DEV = "340111-GVC-00001-D01";
export const POLE_DEV = "340111-SPL-00001-D01";
export const OTHER_DEV = "340111-GVC-00002-D01";

export function tinyCity(): CityModel {
  const pos: [number, number, number] = [117.28, 31.82, -1.5];
  return {
    schema: "citytwin.city/v1",
    seed: 1,
    tenant: TENANT,
    city: { name: "Hefei", nameZh: "合肥", adcode: "340100" },
    district: {
      name: "Baohe",
      nameZh: "包河区",
      adcode: "340111",
      center: [117.28, 31.82],
      bbox: [117.2, 31.7, 117.4, 31.9],
    },
    gateways: [
      { id: GW, name: "Gateway 1", position: pos },
      { id: GW2, name: "Gateway 2", position: pos },
    ],
    streets: [],
    areas: [],
    buildings: [],
    pipes: [],
    nodes: [],
    bridges: [],
    assets: [
      {
        id: "340111-GVC-00001",
        type: "GVC",
        name: "Valve 1",
        nameZh: "阀门井1",
        position: pos,
        hierarchy,
        owner,
        gatewayId: GW,
      },
      {
        id: "340111-SPL-00001",
        type: "SPL",
        name: "Pole 1",
        nameZh: "智能杆1",
        position: pos,
        hierarchy,
        owner,
        gatewayId: GW,
      },
      {
        id: "340111-GVC-00002",
        type: "GVC",
        name: "Valve 2",
        nameZh: "阀门井2",
        position: pos,
        hierarchy,
        owner,
        gatewayId: GW2,
      },
    ],
    devices: [
      {
        id: GAS_DEV,
        assetId: "340111-GVC-00001",
        gatewayId: GW,
        protocol: "modbus-tcp",
        model: "GD-1",
        intervalMs: 1000,
      },
      {
        id: POLE_DEV,
        assetId: "340111-SPL-00001",
        gatewayId: GW,
        protocol: "mqtt-pole",
        model: "SP-1",
        intervalMs: 1000,
      },
      {
        id: OTHER_DEV,
        assetId: "340111-GVC-00002",
        gatewayId: GW2,
        protocol: "modbus-tcp",
        model: "GD-1",
        intervalMs: 1000,
      },
    ],
    sensors: [
      {
        id: `${GAS_DEV}.ch4`,
        deviceId: GAS_DEV,
        assetId: "340111-GVC-00001",
        key: "ch4",
        kind: "ch4",
        domain: "gas",
        position: pos,
      },
      {
        id: `${GAS_DEV}.gas_pressure`,
        deviceId: GAS_DEV,
        assetId: "340111-GVC-00001",
        key: "gas_pressure",
        kind: "gas_pressure",
        domain: "gas",
        position: pos,
      },
      {
        id: `${POLE_DEV}.pm25`,
        deviceId: POLE_DEV,
        assetId: "340111-SPL-00001",
        key: "pm25",
        kind: "pm25",
        domain: "environment",
        position: pos,
      },
      {
        id: `${OTHER_DEV}.ch4`,
        deviceId: OTHER_DEV,
        assetId: "340111-GVC-00002",
        key: "ch4",
        kind: "ch4",
        domain: "gas",
        position: pos,
      },
    ],
  };
}

export function batch(
  seq: number,
  devices: Record<string, unknown>,
  epoch = 1_700_000_000_000,
  sentAt = Date.now(),
) {
  return { v: 1, epoch, seq, sentAt, devices };
}
