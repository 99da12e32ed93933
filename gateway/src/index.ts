export { Gateway } from "./gateway";
export type { GatewayAddress, GatewayOptions } from "./gateway";
export { GatewayMetrics } from "./metrics";
export { GATEWAY_ERROR_CODES } from "./errors";
export type { GatewayErrorCode } from "./errors";
export {
  loadGatewayConfig,
  loadGatewayConfigFile,
  isLoopbackHost,
  gatewayConfigSchema,
  hashSecret,
  verifySecret,
  parseSecretHash,
  loadCityFile,
} from "./config/index";
export type {
  GatewayConfig,
  GatewayConfigFile,
  GatewayConfigInput,
  InfluxV1Resolved,
  InfluxV2Resolved,
  LoadedCity,
} from "./config/index";
export { Broker, DROP_TOPIC, GatewayAuthenticator } from "./broker/index";
export type { BrokerOptions, AuthVerdict } from "./broker/index";
export {
  DeviceRegistry,
  parseTelemetry,
  validateReadings,
  SequenceTracker,
  DeadLetters,
  RejectionReporter,
  IngestQueue,
  GatewayTracker,
  IngestPipeline,
} from "./ingest/index";
export type {
  AcceptedReading,
  IngestLimits,
  SensorEntry,
  DeviceEntry,
  DeadLetter,
  GatewayView,
  SeqGap,
} from "./ingest/index";
export { HotStore } from "./hot-store/index";
export type { HistoryPoint, LatestPoint } from "./hot-store/index";
export {
  InfluxV1Writer,
  InfluxV2Writer,
  queryV1History,
  seriesKey,
  pointLine,
  escapeTag,
  escapeMeasurement,
  escapeFieldString,
} from "./influx/index";
export type { Sink, WriteFailedHandler } from "./influx/index";
export { LiveHub } from "./live/index";
export { Api, HttpServer, resolveStaticPath } from "./http/index";
export * from "./alarms/index";
export { DetectionService, DETECTOR_STATE_FILE } from "./detection/detection-service";
export type { DetectionServiceOptions } from "./detection/detection-service";
export { sourceResolver, evidenceProvider } from "./detection/sources";
export { OperatorAuthenticator, allows, bearerToken, ROLE_RANK } from "./auth/operators";
export type { OperatorCredential, AuthResult } from "./auth/operators";
export { createGatewayLogger, gatewayLoggerOptions, redactUrl, scrubSecrets, REDACT_PATHS } from "./logging";
