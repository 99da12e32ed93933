/**
 * Modbus polling driver, any transport: one instance per device (unit id), sharing the
 * ModbusPort of its physical port. Points are coalesced by the planner (≤125 registers per
 * read). A failed request (exception, timeout, unit backoff) yields its points with value null
 * and quality "bad"; the others keep their values. Timestamps come from the edge clock when
 * the response arrived (Modbus carries none).
 */
import { CityTwinError, type DeviceHealth } from "@citytwin/model";
import { decodeBit, decodeRegisters } from "../../modbus/decode";
import { planReads, type ReadRequest } from "../../modbus/planner";
import { resolveModbusPoint, type ResolvedPoint } from "../../modbus/point";
import type { ModbusDeviceConfig, ModbusProfile } from "../../config/schema";
import type { Clock } from "../../runtime/clock";
import type { PollingDriver, ReadResult, Reading } from "../types";
import type { ModbusPort, TransactionOptions } from "./port";
import { writeRequest, type WriteValue } from "./write";

export type WriteOutcome =
  | { ok: true; fc: 5 | 6 | 15 | 16; address: number }
  | { ok: false; code: "UNKNOWN_DEVICE" | "INVALID_COMMAND" | "DEVICE_ERROR" | "TIMEOUT"; message: string };

interface ProfilePlan {
  resolved: readonly ResolvedPoint[];
  points: Map<string, ResolvedPoint>;
  plans: Map<number | undefined, readonly ReadRequest[]>;
}

/**
 * Resolved points and read plans per profile, shared by every device of that profile (500
 * devices of one 30-point profile would otherwise hold 15,000 resolved points). Keyed by the
 * profile object, so a replaced config's entries go with it. Plans are never mutated.
 */
const byProfile = new WeakMap<ModbusProfile, ProfilePlan>();

function profilePlan(
  profile: ModbusProfile,
  maxGap: number | undefined,
): { points: ReadonlyMap<string, ResolvedPoint>; plan: readonly ReadRequest[] } {
  let entry = byProfile.get(profile);
  if (entry === undefined) {
    const resolved = profile.points.map(resolveModbusPoint);
    entry = { resolved, points: new Map(resolved.map((p) => [p.key, p])), plans: new Map() };
    byProfile.set(profile, entry);
  }
  let plan = entry.plans.get(maxGap);
  if (plan === undefined) {
    plan = planReads(entry.resolved, { maxGap });
    entry.plans.set(maxGap, plan);
  }
  return { points: entry.points, plan };
}

export class ModbusDriver implements PollingDriver {
  readonly deviceId: string;
  readonly intervalMs: number;
  private readonly plan: readonly ReadRequest[];
  private readonly points: ReadonlyMap<string, ResolvedPoint>;
  private readonly opts: TransactionOptions;

  constructor(
    private readonly device: ModbusDeviceConfig,
    profile: ModbusProfile,
    readonly port: ModbusPort,
    private readonly clock: Clock,
  ) {
    this.deviceId = device.id;
    this.intervalMs = device.pollIntervalMs;
    const { points, plan } = profilePlan(profile, device.maxGap);
    this.points = points;
    this.plan = plan;
    this.opts = {
      timeoutMs: device.timeoutMs,
      retries: device.retries,
      backoffMs: device.backoffMs,
      maxBackoffMs: device.maxBackoffMs,
    };
  }

  get unitId(): number {
    return this.device.unitId;
  }

  /** The shared port opens lazily on the first transaction. */
  async connect(): Promise<void> {}

  async read(): Promise<ReadResult> {
    const readings: Reading[] = [];
    let failed = 0;
    let errorCode: string | undefined;
    let errorMessage: string | undefined;
    const push = (key: string, ts: number, value: Reading["value"]) =>
      readings.push({
        deviceId: this.deviceId,
        key,
        ts,
        clock: "edge",
        value,
        quality: value === null ? "bad" : "good",
      });
    for (const req of this.plan) {
      try {
        const data = await this.port.transact(this.device.unitId, req, this.opts);
        const ts = this.clock.now();
        for (const { point, index } of req.points) {
          const value =
            req.fc === 1 || req.fc === 2
              ? decodeBit(data as boolean[], index)
              : decodeRegisters(data as number[], index, point);
          push(point.key, ts, typeof value === "number" && !Number.isFinite(value) ? null : value);
        }
      } catch (err) {
        failed++;
        if (errorCode === undefined) {
          errorCode = err instanceof CityTwinError ? err.code : "MODBUS_IO";
          errorMessage = err instanceof Error ? err.message : String(err);
        }
        const ts = this.clock.now();
        for (const { point } of req.points) push(point.key, ts, null);
      }
    }
    const health: DeviceHealth = failed === 0 ? "ok" : failed === this.plan.length ? "down" : "degraded";
    const result: ReadResult = { readings, health };
    if (errorCode !== undefined) result.errorCode = errorCode;
    if (errorMessage !== undefined) result.errorMessage = errorMessage;
    return result;
  }

  /**
   * Writes `value` to a profile key or raw address (FC5/6/15/16). Never throws: the outcome
   * carries a command error code (model/src/command.ts). Commands jump the poll queue and are
   * tried even while the unit backs off.
   */
  async write(
    target: string | number,
    value: WriteValue,
    timeoutMs = this.device.timeoutMs,
  ): Promise<WriteOutcome> {
    let req;
    try {
      req = writeRequest(target, value, this.points);
    } catch (err) {
      return { ok: false, code: "INVALID_COMMAND", message: (err as Error).message };
    }
    try {
      await this.port.transact(this.device.unitId, req, {
        ...this.opts,
        timeoutMs,
        retries: 0,
        urgent: true,
      });
      return { ok: true, fc: req.fc, address: req.address };
    } catch (err) {
      const code = err instanceof CityTwinError && err.code === "MODBUS_TIMEOUT" ? "TIMEOUT" : "DEVICE_ERROR";
      return { ok: false, code, message: err instanceof Error ? err.message : String(err) };
    }
  }

  async close(): Promise<void> {}
}
