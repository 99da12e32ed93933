export * from "./city";
export * from "./signals";
export * from "./protocols";
export {
  buildEdgeConfigs,
  writeEdgeConfigs,
  edgeConfigFileName,
  EDGE_PASSWORD_ENV,
  type EdgeConfigOptions,
  type SimulatorEndpoints,
} from "./edge-configs";
export { createSimClock, type SimClock } from "./clock";
export { startSimulators, type SimulatorsOptions, type RunningSimulators } from "./run";
