export { dottedPath, formatIssue, locate, yamlToJs, type IssuePath, type SourcePos } from "./yaml-location";
export { parseConfigCli, type ConfigCli } from "./cli";
