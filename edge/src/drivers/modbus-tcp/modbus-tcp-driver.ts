/**
 * Modbus TCP polling driver: one instance per device (unit id), sharing a ModbusTcpPort per
 * host:port. Points are coalesced by the planner; each request that fails yields its points
 * with value null and quality "bad", the others keep their values. Timestamps come from the
 * edge clock when the response arrived (Modbus carries none) [Modbus AP v1.1b3 §6.3, §6.4].
 */
import { CityTwinError, type DeviceHealth } from "@citytwin/model";
import { decodeBit, decodeRegisters } from "../../modbus/decode";
import { planReads, type ReadRequest } from "../../modbus/planner";
import { resolveModbusPoint } from "../../modbus/point";
import type { ModbusProfile, ModbusTcpDeviceConfig } from "../../config/schema";
import type { Clock } from "../../runtime/clock";
import type { PollingDriver, ReadResult, Reading } from "../types";
import type { ModbusTcpPort } from "./port";

export class ModbusTcpDriver implements PollingDriver {
  readonly deviceId: string;
  readonly intervalMs: number;
  private readonly plan: ReadRequest[];

  constructor(
    private readonly device: ModbusTcpDeviceConfig,
    profile: ModbusProfile,
    private readonly port: ModbusTcpPort,
    private readonly clock: Clock,
  ) {
    this.deviceId = device.id;
    this.intervalMs = device.pollIntervalMs;
    this.plan = planReads(profile.points.map(resolveModbusPoint));
  }

  /** The shared port connects lazily on the first transaction. */
  async connect(): Promise<void> {}

  async read(): Promise<ReadResult> {
    const readings: Reading[] = [];
    let failed = 0;
    let errorCode: string | undefined;
    let errorMessage: string | undefined;
    for (const req of this.plan) {
      try {
        const data = await this.port.read(
          this.device.unitId,
          req.fc,
          req.start,
          req.count,
          this.device.timeoutMs,
        );
        const ts = this.clock.now();
        for (const { point, index } of req.points) {
          const value =
            req.fc === 1 || req.fc === 2
              ? decodeBit(data as boolean[], index)
              : decodeRegisters(data as number[], index, point);
          const bad = typeof value === "number" && !Number.isFinite(value);
          readings.push({
            deviceId: this.deviceId,
            key: point.key,
            ts,
            clock: "edge",
            value: bad ? null : value,
            quality: bad ? "bad" : "good",
          });
        }
      } catch (err) {
        failed++;
        if (errorCode === undefined) {
          errorCode = err instanceof CityTwinError ? err.code : "MODBUS_IO";
          errorMessage = err instanceof Error ? err.message : String(err);
        }
        const ts = this.clock.now();
        for (const { point } of req.points) {
          readings.push({
            deviceId: this.deviceId,
            key: point.key,
            ts,
            clock: "edge",
            value: null,
            quality: "bad",
          });
        }
      }
    }
    const health: DeviceHealth = failed === 0 ? "ok" : failed === this.plan.length ? "down" : "degraded";
    const result: ReadResult = { readings, health };
    if (errorCode !== undefined) result.errorCode = errorCode;
    if (errorMessage !== undefined) result.errorMessage = errorMessage;
    return result;
  }

  async close(): Promise<void> {}
}
