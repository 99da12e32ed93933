/**
 * The detector library (issue 4): per-sensor streaming detectors, composite rules as data,
 * and the DetectionEngine that runs them over a city. Browser- and edge-safe (zod + yaml).
 * Defaults and their sources: docs/alarm-defaults.md.
 */
export * from "./condition";
export {
  NEVER,
  createLevelLatch,
  levelName,
  levelRank,
  rankAgainst,
  stepLatch,
  setLatch,
} from "./level-latch";
export type { LevelLatch } from "./level-latch";
export { admit, createReadingClock, DROP, FRESH, REANCHOR_AFTER, type ReadingClock } from "./clock";
export type {
  BaselineProfile,
  DeviationDirection,
  DeviationProfile,
  ImpossibleProfile,
  MissingProfile,
  ProfileOverride,
  RateProfile,
  ScoreLevels,
  SeasonalProfile,
  SensorProfile,
  StuckProfile,
  ThresholdProfile,
} from "./profile";
export { applyOverride } from "./profile";
export { KIND_DEFAULTS, defaultSensorProfile } from "./default-profiles";
export { updateThreshold, boundOf } from "./threshold";
export {
  createImpossible,
  isPossible,
  updateImpossible,
  type ImpossibleConfig,
  type ImpossibleState,
} from "./impossible";
export { RATE_SLOTS, createRate, resolveRate, updateRate, type RateConfig, type RateState } from "./rate";
export {
  MEAN_ABS_TO_SIGMA,
  resolveDeviation,
  spreadOf,
  scoreDeviation,
  type DeviationConfig,
} from "./deviation";
export {
  baselineWarm,
  createBaseline,
  resolveBaseline,
  updateBaseline,
  type BaselineConfig,
  type BaselineState,
} from "./baseline";
export {
  DAY_MS,
  createSeasonal,
  resolveSeasonal,
  seasonalWarm,
  updateSeasonal,
  type SeasonalConfig,
  type SeasonalState,
} from "./seasonal";
export { createStuck, updateStuck, type StuckConfig, type StuckState } from "./stuck";
export {
  DETECTOR_BIT,
  READING_ACCEPTED,
  checkMissing,
  createSensorState,
  resolveSensorConfig,
  sensorLevel,
  updateSensor,
  type DetectStage,
  type SensorConfig,
  type SensorState,
} from "./sensor-stack";
export {
  compositeRuleSchema,
  compositeRulesFileSchema,
  flagTermSchema,
  parseCompositeRules,
  rulePredicateSchema,
  ruleScopeSchema,
  sensorTermSchema,
  type CompositeRule,
  type CompositeRuleInput,
  type FlagTerm,
  type RulePredicate,
  type RuleScope,
  type SensorTerm,
} from "./rules";
export { DEFAULT_COMPOSITE_RULES } from "./default-rules";
export { CityGeometry, distanceM, localProjection, type Projection } from "./neighbours";
export { CompositeSet, type CompositeInstance, type CompositeState, type FlagState } from "./composite";
export {
  DEFAULT_LIVENESS,
  Liveness,
  createDeviceLive,
  createGatewayLive,
  type DeviceLive,
  type GatewayLive,
  type LivenessChange,
  type LivenessOptions,
} from "./liveness";
export { explainOffline, explainSensor, fillTemplate, fmt as formatDetectValue } from "./explain";
export {
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  adopt,
  buildSnapshot,
  checkSnapshot,
  restoreSnapshot,
  sameShape,
  type DetectionSnapshot,
  type SnapshotParts,
} from "./snapshot";
export { compositeCondition, offlineCondition, sensorCondition } from "./emit";
export { resolveCityConfigs } from "./city-configs";
export { DetectionEngine, type DetectionEngineOptions } from "./engine";
