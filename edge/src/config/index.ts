export * from "./schema";
export type { ConfigIo, EdgeSecrets, ResolvedEdgeConfig } from "./load";
export { loadEdgeConfig, nodeConfigIo, readEdgeConfigFile } from "./load";
export { canonicalJson, sha256Hash } from "./hash";
export { dottedPath, formatIssue, locate } from "@citytwin/model";
