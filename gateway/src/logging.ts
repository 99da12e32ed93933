/**
 * The gateway's pino logger, with the platform's secret redaction
 * (@citytwin/model/node log-redaction.ts; docs/security.md, "Secrets in logs").
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { secretSafeLoggerOptions } from "@citytwin/model/node";

export { REDACT_PATHS, redactUrl, scrubSecrets } from "@citytwin/model/node";

export function gatewayLoggerOptions(level: string, base: Record<string, unknown>): LoggerOptions {
  return secretSafeLoggerOptions(level, base);
}

export function createGatewayLogger(
  level: string,
  base: Record<string, unknown>,
  destination?: DestinationStream,
): Logger {
  const opts = gatewayLoggerOptions(level, base);
  return destination === undefined ? pino(opts) : pino(opts, destination);
}
