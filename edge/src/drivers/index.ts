export type {
  DriverContext,
  DriverFactory,
  DriverSet,
  PollingDriver,
  ReadResult,
  Reading,
  StreamSink,
  StreamingDriver,
} from "./types";
export type { PollStats } from "./poll-runner";
export { PollRunner } from "./poll-runner";
export type { PortStats, Request, TransactionOptions, TransactionResult } from "./modbus/port";
export { ModbusPort } from "./modbus/port";
export type { WriteOutcome } from "./modbus/driver";
export { ModbusDriver } from "./modbus/driver";
export type { WriteValue } from "./modbus/write";
export { ModbusDriverSet, buildModbus, modbusFactory } from "./modbus/factory";
export { DRIVER_FACTORIES, createDrivers } from "./registry";
