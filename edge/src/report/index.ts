export { RbeFilter, moved, type RbeStats, type PolicyLookup } from "./rbe-filter";
export { PolicyTable, toPointPolicy, type PointPolicy } from "./policy";
export { buildAgentHealth, type AgentHealthPart } from "./health";
export { LatencyWindow } from "./latency";
