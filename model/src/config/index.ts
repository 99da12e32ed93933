export { dottedPath, formatIssue, locate, type IssuePath, type SourcePos } from "./yaml-location";
export { parseConfigCli, type ConfigCli } from "./cli";
