/**
 * Incidents and faults to inject: a scenario file in the simulators' format (scenario.ts:
 * gas_leak, pipe_burst, waterlogging, bridge_overload, sensor_stuck, sensor_drift), plus one
 * load-only type, `device_offline` (target: an asset or device id): its devices send nothing
 * inside the window, like an unplugged field device. `startS` counts from the load run's start.
 * Incidents resolve against the load city (in-district for tiled districts, see city.ts); the
 * report lists each with the sensors it acts on (ground truth).
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { CityTwinError, type Asset, type CityModel, type Sensor } from "@citytwin/model";
import { INCIDENT_TYPES, incidentSchema, resolveIncident, type Incident, type Scenario } from "../signals";
import { describe, parseYaml } from "../yaml-errors";

const loadIncidentSchema = incidentSchema.extend({ type: z.enum([...INCIDENT_TYPES, "device_offline"]) });
const loadScenarioSchema = z
  .object({
    version: z.literal(1),
    name: z.string().min(1),
    description: z.string().optional(),
    incidents: z.array(loadIncidentSchema),
  })
  .strict();

export interface OfflineWindow {
  deviceIds: string[];
  startS: number;
  endS: number;
}

/** What a worker needs: the scenario for its SignalEngine and the sensors/assets involved. */
export interface Faults {
  name: string;
  scenario: Scenario;
  offline: OfflineWindow[];
  involved: { sensors: Sensor[]; assets: Asset[] };
  /** For the report. */
  labels: {
    id: string;
    type: string;
    target: string;
    startS: number;
    durationS: number;
    sensors: string[];
  }[];
}

export function loadFaults(file: string, city: CityModel): Faults {
  const { value, source } = parseYaml(
    readFileSync(file, "utf8"),
    file,
    loadScenarioSchema,
    "SIM_BAD_SCENARIO",
  );
  const sensorsById = new Map(city.sensors.map((s) => [s.id, s]));
  const assetsById = new Map(city.assets.map((a) => [a.id, a]));
  const faults: Faults = {
    name: value.name,
    scenario: { version: 1, name: value.name, incidents: [] },
    offline: [],
    involved: { sensors: [], assets: [] },
    labels: [],
  };
  const involved = new Set<string>();
  value.incidents.forEach((inc, i) => {
    const fail = (message: string): never => {
      throw new CityTwinError("SIM_BAD_SCENARIO", describe(source, ["incidents", i, "target"], message));
    };
    let sensors: string[];
    if (inc.type === "device_offline") {
      const deviceIds = city.devices
        .filter((d) => d.id === inc.target || d.assetId === inc.target)
        .map((d) => d.id);
      if (deviceIds.length === 0) fail(`target ${inc.target} is neither an asset nor a device in this city`);
      faults.offline.push({ deviceIds, startS: inc.startS, endS: inc.startS + inc.durationS });
      const devs = new Set(deviceIds);
      sensors = city.sensors.filter((s) => devs.has(s.deviceId)).map((s) => s.id);
    } else {
      const incident = inc as Incident;
      try {
        sensors = resolveIncident(incident, city).effects.map((e) => e.sensorId);
      } catch (err) {
        return fail(err instanceof Error ? err.message : String(err));
      }
      faults.scenario.incidents.push(incident);
      for (const id of sensors) involved.add(id);
    }
    faults.labels.push({
      id: inc.id,
      type: inc.type,
      target: inc.target,
      startS: inc.startS,
      durationS: inc.durationS,
      sensors,
    });
  });
  faults.involved.sensors = [...involved].map((id) => sensorsById.get(id)!);
  const assets = new Set(faults.involved.sensors.map((s) => s.assetId));
  faults.involved.assets = [...assets].map((id) => assetsById.get(id)!);
  return faults;
}
