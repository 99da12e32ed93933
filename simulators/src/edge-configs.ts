/**
 * Edge agent configs (edge config file format v1) for every gateway of a city, pointing
 * at the running simulators: Modbus TCP devices by host/port/unit id, the bridge station by
 * OPC UA NodeId, smart poles by field-broker topic. Each config is validated with the edge's
 * own schema before it is written.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { stringify } from "yaml";
import { CityTwinError, type CityModel } from "@citytwin/model";
import { edgeConfigSchema, type DeviceConfig, type EdgeConfig } from "@citytwin/edge";
import { profileOfModel } from "./city/device-models";
import type { ModbusEndpointPlan } from "./protocols/modbus-plan";
import { opcuaNodeId } from "./protocols/opcua-sim";
import { poleTopic } from "./protocols/pole-sim";
import { DEFAULT_PROFILE_DIR } from "./protocols/profiles";

export interface SimulatorEndpoints {
  /** Host the Modbus servers listen on. */
  host: string;
  modbus: readonly ModbusEndpointPlan[];
  /** opc.tcp:// URL of the bridge SHM server. */
  opcuaEndpoint: string;
  /** mqtt:// URL of the pole vendor's field broker. */
  fieldBrokerUrl: string;
}

export interface EdgeConfigOptions {
  city: CityModel;
  endpoints: SimulatorEndpoints;
  /** The platform (gateway) broker the edge agents publish to. */
  mqttUrl: string;
  /** Directory the config files will be written to; relative paths inside are relative to it. */
  configDir: string;
  profileDir?: string;
}

export const EDGE_PASSWORD_ENV = "CT_MQTT_PASSWORD";

/** One validated EdgeConfig per gateway that has devices, in gateway id order. */
export function buildEdgeConfigs(options: EdgeConfigOptions): EdgeConfig[] {
  const { city, endpoints } = options;
  const unitOf = new Map<string, { port: number; unitId: number }>();
  for (const ep of endpoints.modbus)
    for (const u of ep.units) unitOf.set(u.deviceId, { port: ep.port, unitId: u.unitId });
  const sensorsByDevice = new Map<string, string[]>();
  for (const s of city.sensors)
    sensorsByDevice.set(s.deviceId, [...(sensorsByDevice.get(s.deviceId) ?? []), s.key]);
  const profileDir = relative(options.configDir, options.profileDir ?? DEFAULT_PROFILE_DIR) || ".";

  const out: EdgeConfig[] = [];
  for (const gw of [...city.gateways].sort((a, b) => a.id.localeCompare(b.id))) {
    const devices: DeviceConfig[] = [];
    for (const d of city.devices
      .filter((x) => x.gatewayId === gw.id)
      .sort((a, b) => a.id.localeCompare(b.id))) {
      if (d.protocol === "modbus-tcp") {
        const unit = unitOf.get(d.id);
        const profile = profileOfModel(d.model);
        if (unit === undefined || profile === undefined) {
          throw new CityTwinError("SIM_EDGE_CONFIG", `device ${d.id}: no Modbus endpoint or profile planned`);
        }
        devices.push({
          id: d.id,
          driver: "modbus-tcp",
          profile,
          host: endpoints.host,
          port: unit.port,
          unitId: unit.unitId,
          pollIntervalMs: d.intervalMs,
          timeoutMs: 1000,
        });
      } else if (d.protocol === "opcua") {
        devices.push({
          id: d.id,
          driver: "opcua",
          endpoint: endpoints.opcuaEndpoint,
          securityMode: "None",
          securityPolicy: "None",
          samplingIntervalMs: 500,
          publishingIntervalMs: d.intervalMs,
          queueSize: 10,
          points: (sensorsByDevice.get(d.id) ?? []).map((key) => ({
            key,
            nodeId: opcuaNodeId(`${d.id}.${key}`),
          })),
        });
      } else {
        const profile = profileOfModel(d.model);
        if (profile === undefined)
          throw new CityTwinError("SIM_EDGE_CONFIG", `device ${d.id}: no profile for ${d.model}`);
        devices.push({
          id: d.id,
          driver: "mqtt-json",
          profile,
          broker: endpoints.fieldBrokerUrl,
          topic: poleTopic(d.assetId),
        });
      }
    }
    if (devices.length === 0) continue;
    const parsed = edgeConfigSchema.safeParse({
      version: 1,
      gateway: { tenant: city.tenant, id: gw.id, name: gw.name },
      mqtt: { url: options.mqttUrl, username: gw.id, passwordEnv: EDGE_PASSWORD_ENV, keepaliveS: 30 },
      publish: { maxBatchReadings: 2000, maxDelayMs: 500 },
      stateDir: `./edge-state/${gw.id}`,
      profileDirs: [profileDir],
      profiles: [],
      devices,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CityTwinError(
        "SIM_EDGE_CONFIG",
        `generated edge config for ${gw.id} is invalid at ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? ""}`,
        { cause: parsed.error },
      );
    }
    out.push(parsed.data);
  }
  return out;
}

/** The config file name for a gateway: edge-<gatewayId>.yaml. */
export function edgeConfigFileName(gatewayId: string): string {
  return `edge-${gatewayId}.yaml`;
}

/** Writes each config as YAML into options.configDir; returns the file paths. */
export async function writeEdgeConfigs(options: EdgeConfigOptions): Promise<string[]> {
  const configs = buildEdgeConfigs(options);
  await mkdir(options.configDir, { recursive: true });
  const files: string[] = [];
  for (const config of configs) {
    const file = join(options.configDir, edgeConfigFileName(config.gateway.id));
    const header = `# Generated by @citytwin/simulators for ${config.gateway.id}; the password comes from $${EDGE_PASSWORD_ENV}.\n`;
    try {
      await writeFile(file, header + stringify(config, { lineWidth: 0 }), "utf8");
    } catch (cause) {
      throw new CityTwinError("SIM_WRITE_EDGE_CONFIG", `cannot write ${file}`, { cause });
    }
    files.push(file);
  }
  return files;
}
