/**
 * Error codes the edge agent throws (as `CityTwinError.code`). Counters and logs carry the code.
 *
 *   CONFIG_INVALID     the config file or a profile fails validation (message names file, path, line)
 *   CONFIG_READ        a config, profile or secret file cannot be read
 *   MODBUS_EXCEPTION   the device answered with a Modbus exception [Modbus AP v1.1b3 §7]
 *   MODBUS_TIMEOUT     no response within the device's timeoutMs
 *   MODBUS_IO          the TCP connection failed or closed
 *   OPCUA_ERROR        OPC UA connect, session, subscription or node resolution failed
 *   MQTT_ERROR         the platform or field MQTT connection failed
 *   STATE_IO           the agent's state directory cannot be read or written
 */
export const EDGE_ERROR_CODES = [
  "CONFIG_INVALID",
  "CONFIG_READ",
  "MODBUS_EXCEPTION",
  "MODBUS_TIMEOUT",
  "MODBUS_IO",
  "OPCUA_ERROR",
  "MQTT_ERROR",
  "STATE_IO",
] as const;
export type EdgeErrorCode = (typeof EDGE_ERROR_CODES)[number];
