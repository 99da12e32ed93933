export {
  encodeValue,
  decodeWords,
  registerCount,
  resolveAddress,
  type ByteOrder,
  type NumericType,
  type RegisterPoint,
  type RegisterTable,
} from "./register-codec";
export { loadProfiles, DEFAULT_PROFILE_DIR } from "./profiles";
export {
  planModbusEndpoints,
  MAX_UNITS_PER_PORT,
  type ModbusEndpointPlan,
  type ModbusUnitPlan,
} from "./modbus-plan";
export { ModbusSimulator, ModbusException, type ModbusSimulatorOptions } from "./modbus-sim";
export { OpcuaSimulator, OPCUA_NAMESPACE_URI, opcuaNodeId, type OpcuaSimulatorOptions } from "./opcua-sim";
export { FieldBroker, type FieldBrokerOptions } from "./field-broker";
export {
  PoleSimulator,
  poleCommandTopic,
  poleTopic,
  type PolePayload,
  type PoleSimulatorOptions,
} from "./pole-sim";
