export { generateCity, DEFAULT_SEED, BINHU_CENTER, TENANT, type GenerateCityOptions } from "./generate-city";
export { writeCityJson } from "./write-city";
export { readCityJson } from "./read-city";
export { GATEWAY_EAST, GATEWAY_WEST } from "./assets";
export {
  BRIDGE_SENSORS,
  BRIDGE_SPAN_COUNT,
  BRIDGE_DEVICE_MODEL,
  type BridgeSensorSpec,
} from "./bridge-sensors";
export { DEVICE_MODELS, profileOfModel, type DeviceModelSpec } from "./device-models";
