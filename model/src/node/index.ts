/** `@citytwin/model/node`: node-only helpers (file system); never imported by the browser-safe main entry. */
export {
  FRAME_HEADER,
  allocFrame,
  fsyncDir,
  parseFrames,
  readBytes,
  readFrame,
  scanFrames,
  sealFrame,
  writeFileAtomic,
  type ScanLimits,
} from "./segment-log";
export { REDACT_PATHS, redactUrl, scrubSecrets, secretSafeLoggerOptions } from "./log-redaction";
