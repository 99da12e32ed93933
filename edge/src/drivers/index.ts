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
export { ModbusTcpPort } from "./modbus-tcp/port";
export { ModbusTcpDriver } from "./modbus-tcp/modbus-tcp-driver";
export { DRIVER_FACTORIES, createDrivers } from "./registry";
