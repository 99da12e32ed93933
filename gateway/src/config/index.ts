export { loadGatewayConfig, loadGatewayConfigFile, isLoopbackHost } from "./load";
export type { GatewayConfig, InfluxV1Resolved, InfluxV2Resolved } from "./load";
export { gatewayConfigSchema } from "./schema";
export type { GatewayConfigFile, GatewayConfigInput } from "./schema";
export { hashSecret, verifySecret, parseSecretHash } from "./secret";
export { loadCityFile } from "./city";
export type { LoadedCity } from "./city";
