import type { CityModel } from "@citytwin/model";
import { DEFAULT_DEADLINE_S, type IncidentType, type Scenario } from "./scenario";
import { resolveIncident } from "./incidents";

/** One labelled incident window: the sensors it acts on, active on [startMs, endMs). */
export interface GroundTruthWindow {
  incidentId: string;
  type: IncidentType;
  sensorIds: string[];
  startMs: number;
  endMs: number;
  /** The alarm must be raised by this time (startMs + deadlineS). */
  deadlineMs: number;
}

/**
 * The labelled windows of a scenario run that started at `startMs` (simulated time).
 * `city` resolves asset targets to sensors (and a gas leak's nearest pipe segment).
 */
export function groundTruth(scenario: Scenario, startMs: number, city: CityModel): GroundTruthWindow[] {
  return scenario.incidents.map((incident) => {
    const r = resolveIncident(incident, city);
    return {
      incidentId: incident.id,
      type: incident.type,
      sensorIds: r.effects.map((e) => e.sensorId),
      startMs: startMs + r.startOffsetMs,
      endMs: startMs + r.endOffsetMs,
      deadlineMs: startMs + r.startOffsetMs + (incident.deadlineS ?? DEFAULT_DEADLINE_S) * 1000,
    };
  });
}
