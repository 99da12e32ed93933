/**
 * Which Modbus TCP port and unit id serve which device. One server per gateway; each hosts
 * up to 247 devices as unit ids 1..247 [Modbus AP v1.1b3 §4.1: 1–247 are individual
 * addresses]; a gateway with more devices gets further ports. Ports are allocated from
 * `basePort` upward, gateways in id order. Pure: the edge config generator uses the same plan.
 */
import { CityTwinError, type CityModel } from "@citytwin/model";
import { profileOfModel } from "../city/device-models";

export const MAX_UNITS_PER_PORT = 247;

export interface ModbusUnitPlan {
  deviceId: string;
  unitId: number;
  profileId: string;
}

export interface ModbusEndpointPlan {
  gatewayId: string;
  port: number;
  units: ModbusUnitPlan[];
}

export function planModbusEndpoints(city: CityModel, basePort: number): ModbusEndpointPlan[] {
  const byGateway = new Map<string, ModbusUnitPlan[]>();
  const devices = city.devices
    .filter((d) => d.protocol === "modbus-tcp")
    .sort((a, b) => a.id.localeCompare(b.id));
  for (const d of devices) {
    const profileId = profileOfModel(d.model);
    if (profileId === undefined) {
      throw new CityTwinError("SIM_NO_PROFILE", `device ${d.id}: no register profile for model ${d.model}`);
    }
    const list = byGateway.get(d.gatewayId) ?? [];
    list.push({ deviceId: d.id, unitId: 0, profileId });
    byGateway.set(d.gatewayId, list);
  }
  const out: ModbusEndpointPlan[] = [];
  let port = basePort;
  for (const gatewayId of [...byGateway.keys()].sort()) {
    const list = byGateway.get(gatewayId) ?? [];
    for (let i = 0; i < list.length; i += MAX_UNITS_PER_PORT) {
      const units = list.slice(i, i + MAX_UNITS_PER_PORT).map((u, k) => ({ ...u, unitId: k + 1 }));
      out.push({ gatewayId, port: port++, units });
    }
  }
  return out;
}
