/**
 * Incident resolution: which sensors an incident acts on, and how. Pure.
 *
 *   gas_leak         target GVC/MH (or its ch4 sensor): ch4 rises to 36–60 %LEL, fluctuating;
 *                    the nearest gas pipe segment's pressure drops by 60–100 kPa.
 *                    target GPS: the reverse pairing (its pressure, nearest chamber's ch4).
 *   pipe_burst       target WMN: pressure falls to 15–45 % of normal, flow surges ×3–5.
 *   waterlogging     target DWL: level rises within ~30 s by 3–4.5 m.
 *   bridge_overload  target BRG: every strain and deflection sensor rises above red together;
 *                    acceleration rises too.
 *   sensor_stuck     target sensor (or every sensor of an asset): value frozen at incident start.
 *   sensor_drift     target sensor(s): linear drift toward the alarm side, reaching
 *                    severity × 20 % of the kind's range at the window's end.
 */
import { CityTwinError, kindOfKey, type Asset, type CityModel, type Sensor } from "@citytwin/model";
import type { Incident, IncidentType } from "./scenario";

export type EffectRole =
  | "ch4_leak"
  | "gas_pressure_drop"
  | "water_pressure_drop"
  | "water_flow_surge"
  | "level_rise"
  | "strain_rise"
  | "deflection_rise"
  | "acceleration_rise"
  | "stuck"
  | "drift";

export interface SensorEffect {
  sensorId: string;
  role: EffectRole;
}

export interface ResolvedIncident {
  incident: Incident;
  startOffsetMs: number;
  endOffsetMs: number;
  effects: SensorEffect[];
}

const ROLE_BY_KIND: Readonly<
  Record<Exclude<IncidentType, "sensor_stuck" | "sensor_drift">, Record<string, EffectRole>>
> = {
  gas_leak: { ch4: "ch4_leak", gas_pressure: "gas_pressure_drop" },
  pipe_burst: { water_pressure: "water_pressure_drop", water_flow: "water_flow_surge" },
  waterlogging: { water_level: "level_rise" },
  bridge_overload: {
    strain: "strain_rise",
    deflection: "deflection_rise",
    acceleration: "acceleration_rise",
  },
};

function fail(message: string): never {
  throw new CityTwinError("SIM_BAD_INCIDENT_TARGET", message);
}

function distance2(a: Asset, b: Asset): number {
  const dx = (a.position[0] - b.position[0]) * Math.cos((a.position[1] * Math.PI) / 180);
  const dy = a.position[1] - b.position[1];
  return dx * dx + dy * dy;
}

export function resolveIncident(incident: Incident, city: CityModel): ResolvedIncident {
  const sensors = city.sensors.filter((s) => s.id === incident.target || s.assetId === incident.target);
  if (sensors.length === 0)
    fail(`target ${incident.target} is neither an asset nor a sensor with sensors in this city`);
  const effects: SensorEffect[] = [];
  const { type } = incident;
  if (type === "sensor_stuck" || type === "sensor_drift") {
    for (const s of sensors)
      effects.push({ sensorId: s.id, role: type === "sensor_stuck" ? "stuck" : "drift" });
  } else {
    const roles = ROLE_BY_KIND[type];
    for (const s of sensors) {
      const role = roles[kindOfKey(s.key)];
      if (role !== undefined) effects.push({ sensorId: s.id, role });
    }
    if (effects.length === 0) fail(`target ${incident.target} has no sensor that a ${type} acts on`);
    if (type === "gas_leak") {
      const hasCh4 = effects.some((e) => e.role === "ch4_leak");
      const partnerKind = hasCh4 ? "gas_pressure" : "ch4";
      const partner = nearestSensor(city, sensors[0] as Sensor, partnerKind);
      if (partner !== undefined)
        effects.push({ sensorId: partner.id, role: roles[partnerKind] as EffectRole });
    }
  }
  return {
    incident,
    startOffsetMs: incident.startS * 1000,
    endOffsetMs: (incident.startS + incident.durationS) * 1000,
    effects,
  };
}

/** The sensor of `kind` on the asset nearest to `from`'s asset (another asset). */
function nearestSensor(city: CityModel, from: Sensor, kind: string): Sensor | undefined {
  const assets = new Map(city.assets.map((a) => [a.id, a]));
  const origin = assets.get(from.assetId);
  if (origin === undefined) return undefined;
  let best: Sensor | undefined;
  let bestD = Infinity;
  for (const s of city.sensors) {
    if (s.kind !== kind || s.assetId === from.assetId) continue;
    const a = assets.get(s.assetId);
    if (a === undefined) continue;
    const d = distance2(origin, a);
    if (d < bestD) {
      bestD = d;
      best = s;
    }
  }
  return best;
}
