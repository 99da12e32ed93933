/**
 * Device models of the simulated district and the edge profile (edge/profiles/*.yaml) that
 * decodes each one. Profiles are data; this table is the only link between a model name and
 * its register map or JSON field map.
 */
import type { Protocol } from "@citytwin/model";

export interface DeviceModelSpec {
  model: string;
  protocol: Protocol;
  /** Profile id in edge/profiles; absent for OPC UA (points are listed per device). */
  profile?: string;
  keys: readonly string[];
  intervalMs: number;
}

export const DEVICE_MODELS = {
  methane: {
    model: "CT-GD100",
    protocol: "modbus-tcp",
    profile: "ct-gd100-methane",
    keys: ["ch4"],
    intervalMs: 1000,
  },
  gasPressure: {
    model: "CT-GP200",
    protocol: "modbus-tcp",
    profile: "ct-gp200-gas-pressure",
    keys: ["gas_pressure"],
    intervalMs: 1000,
  },
  waterMonitor: {
    model: "CT-WM300",
    protocol: "modbus-tcp",
    profile: "ct-wm300-water-monitor",
    keys: ["water_pressure", "water_flow"],
    intervalMs: 1000,
  },
  drainageLevel: {
    model: "CT-DL400",
    protocol: "modbus-tcp",
    profile: "ct-dl400-drainage-level",
    keys: ["water_level"],
    intervalMs: 1000,
  },
  poleLamp: {
    model: "CT-PC10",
    protocol: "mqtt-pole",
    profile: "ct-pole-lamp",
    keys: ["lamp_power", "lamp_dimming"],
    intervalMs: 5000,
  },
  poleEnv: {
    model: "CT-ENV3",
    protocol: "mqtt-pole",
    profile: "ct-pole-env",
    keys: ["pm25", "noise_laeq", "temperature"],
    intervalMs: 5000,
  },
  // Full smart pole (generateCity({ smartPoles: "full" })): one controller payload, one
  // profile per hosted device.
  poleLampSwitch: {
    model: "CT-PC20",
    protocol: "mqtt-pole",
    profile: "ct-pole-lamp-switch",
    keys: ["lamp_power", "lamp_dimming", "lamp_on"],
    intervalMs: 5000,
  },
  poleEnv6: {
    model: "CT-ENV6",
    protocol: "mqtt-pole",
    profile: "ct-pole-env6",
    keys: ["pm25", "pm10", "noise_laeq", "temperature", "humidity"],
    intervalMs: 5000,
  },
  poleEv: {
    model: "CT-EVC7",
    protocol: "mqtt-pole",
    profile: "ct-pole-ev",
    keys: ["ev_state", "ev_power"],
    intervalMs: 5000,
  },
  poleSos: {
    model: "CT-SOS1",
    protocol: "mqtt-pole",
    profile: "ct-pole-sos",
    keys: ["sos_button"],
    intervalMs: 5000,
  },
  poleTilt: {
    model: "CT-TLT1",
    protocol: "mqtt-pole",
    profile: "ct-pole-tilt",
    keys: ["tilt"],
    intervalMs: 5000,
  },
} as const satisfies Record<string, DeviceModelSpec>;

const BY_MODEL = new Map<string, DeviceModelSpec>(Object.values(DEVICE_MODELS).map((m) => [m.model, m]));

/** The profile id for a device model, or undefined (OPC UA, unknown models). */
export function profileOfModel(model: string): string | undefined {
  return BY_MODEL.get(model)?.profile;
}
