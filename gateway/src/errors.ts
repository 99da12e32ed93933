/**
 * Error codes the gateway throws (as `CityTwinError.code`). Counters, logs and API error
 * bodies carry the code.
 *
 *   CONFIG_INVALID   the config file or the city model fails validation (names file, path, line)
 *   CONFIG_READ      the config or city file cannot be read
 *   LISTEN_FAILED    a TCP or HTTP listener could not bind
 *   INFLUX_WRITE     an InfluxDB write failed after its retries
 *   INFLUX_QUERY     an InfluxQL history query failed
 *   BAD_REQUEST      an HTTP request is malformed (bad query parameter)
 *   NOT_FOUND        an HTTP resource does not exist
 */
export const GATEWAY_ERROR_CODES = [
  "CONFIG_INVALID",
  "CONFIG_READ",
  "LISTEN_FAILED",
  "INFLUX_WRITE",
  "INFLUX_QUERY",
  "BAD_REQUEST",
  "NOT_FOUND",
] as const;
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number];
