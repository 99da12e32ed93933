export type { ByteOrder, ModbusAddress, ModbusType, RegisterTable, ResolvedPoint } from "./point";
export { isBitTable, parseModbusAddress, registerWidth, resolveModbusPoint } from "./point";
export type { Decoded, DecodedValue } from "./decode";
export { decodeBit, decodeRegisters, decodeRegistersChecked, orderedBytes } from "./decode";
export type { PlannedPoint, PlanOptions, ReadRequest } from "./planner";
export { FUNCTION_CODES, MAX_READ_BITS, MAX_READ_REGISTERS, planReads } from "./planner";
export { applyMask, bitMasks, encodeRegisters } from "./encode";
export type { PortIssue, PortSettings, SerialSettings, ModbusTransport } from "./port-settings";
export { checkModbusPorts, fromLegacy, portSettings, silentIntervalMs } from "./port-settings";
