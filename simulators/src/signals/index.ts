export { SignalEngine, type SignalEngineOptions } from "./engine";
export {
  INCIDENT_TYPES,
  DEFAULT_SEVERITY,
  incidentSchema,
  scenarioSchema,
  parseScenario,
  loadScenario,
  type Incident,
  type IncidentType,
  type Scenario,
} from "./scenario";
export { resolveIncident, type EffectRole, type ResolvedIncident, type SensorEffect } from "./incidents";
export { groundTruth, type GroundTruthWindow } from "./ground-truth";
export { baselineValue, type SensorSeed } from "./baseline";
export { localHour, demand, traffic, daytime } from "./daily";
