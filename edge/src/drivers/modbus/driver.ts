/**
 * Modbus polling driver, any transport: one instance per device (unit id), sharing the
 * ModbusPort of its physical port. Points are coalesced by the planner (≤125 registers per
 * read). A failed request (exception, timeout, unit backoff) yields its points with value null
 * and quality "bad"; the others keep their values. An INT64/UINT64 beyond 2^53 that no double
 * equals is published as the nearest double with quality "uncertain" (counted). Timestamps come
 * from the edge clock when the response arrived (Modbus carries none).
 */
import { CityTwinError, type DeviceHealth } from "@citytwin/model";
import { decodeBit, decodeRegisters, decodeRegistersChecked, type Decoded } from "../../modbus/decode";
import { applyMask } from "../../modbus/encode";
import { planReads, type ReadRequest } from "../../modbus/planner";
import { resolveModbusPoint, type ResolvedPoint } from "../../modbus/point";
import type { BitWriteMode, ModbusDeviceConfig, ModbusProfile } from "../../config/schema";
import type { Clock } from "../../runtime/clock";
import type { PollingDriver, ReadResult, Reading } from "../types";
import type { ModbusPort, TransactionOptions } from "./port";
import { writeRequest, type BitWrite, type WriteValue } from "./write";

export type WriteOutcome =
  | { ok: true; fc: 5 | 6 | 15 | 16 | 22; address: number }
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

/** Units (per port) that answered FC22 with exception 1: "auto" bit writes use read-modify-write. */
const noMaskWrite = new WeakMap<ModbusPort, Set<number>>();

/** The Modbus exception code behind a failed transaction (port.ts keeps the client's error as cause). */
function exceptionCode(err: unknown): number | undefined {
  if (!(err instanceof CityTwinError) || err.code !== "MODBUS_EXCEPTION") return undefined;
  const code = (err.cause as { modbusCode?: unknown } | undefined)?.modbusCode;
  return typeof code === "number" ? code : undefined;
}

/** Driver counters, summed into the agent stats as modbus_<name> (factory.ts). */
export interface ModbusDriverStats {
  /** Readings published "uncertain": a 64-bit integer beyond 2^53 rounded to a double. */
  rounded64: number;
  /** BIT writes sent as FC22 Mask Write Register. */
  maskWrites: number;
  /** BIT writes done by read-modify-write (FC3 then FC6). */
  rmwWrites: number;
  /** FC22 answered with exception 1 (Illegal Function): that unit falls back for good. */
  maskUnsupported: number;
}

export class ModbusDriver implements PollingDriver {
  readonly deviceId: string;
  readonly intervalMs: number;
  readonly counters: ModbusDriverStats = { rounded64: 0, maskWrites: 0, rmwWrites: 0, maskUnsupported: 0 };
  private readonly plan: readonly ReadRequest[];
  private readonly points: ReadonlyMap<string, ResolvedPoint>;
  private readonly opts: TransactionOptions;
  private readonly bitWrite: BitWriteMode;

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
    this.bitWrite = device.bitWrite ?? profile.bitWrite ?? "auto";
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
    const push = (key: string, ts: number, value: Reading["value"], rounded = false) =>
      readings.push({
        deviceId: this.deviceId,
        key,
        ts,
        clock: "edge",
        value,
        quality: value === null ? "bad" : rounded ? "uncertain" : "good",
      });
    for (const req of this.plan) {
      try {
        const data = await this.port.transact(this.device.unitId, req, this.opts);
        const ts = this.clock.now();
        for (const { point, index } of req.points) {
          // Only a 64-bit integer can be rounded: the other types skip the checked decode's object.
          let value: Decoded["value"];
          let rounded = false;
          if (req.fc === 1 || req.fc === 2) value = decodeBit(data as boolean[], index);
          else if (point.type === "INT64" || point.type === "UINT64")
            ({ value, rounded } = decodeRegistersChecked(data as number[], index, point));
          else value = decodeRegisters(data as number[], index, point);
          if (rounded) this.counters.rounded64++;
          push(point.key, ts, typeof value === "number" && !Number.isFinite(value) ? null : value, rounded);
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
   * Writes `value` to a profile key or raw address (FC5/6/15/16; a BIT in a holding register by
   * FC22 or read-modify-write, see writeBit). Never throws: the outcome carries a command error
   * code (model/src/command.ts). Commands jump the poll queue and are tried even while the unit
   * backs off.
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
    const opts: TransactionOptions = { ...this.opts, timeoutMs, retries: 0, urgent: true };
    try {
      if ("kind" in req) return { ok: true, fc: await this.writeBit(req, opts), address: req.address };
      await this.port.transact(this.device.unitId, req, opts);
      return { ok: true, fc: req.fc, address: req.address };
    } catch (err) {
      const code = err instanceof CityTwinError && err.code === "MODBUS_TIMEOUT" ? "TIMEOUT" : "DEVICE_ERROR";
      return { ok: false, code, message: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Sets one bit of a holding register; resolves the function code that wrote it. "mask" and
   * "auto" send FC22 [Modbus AP v1.1b3 §6.16]; "auto" falls back to read-modify-write when the
   * unit answers exception 1 (Illegal Function) and remembers that for the unit on this port.
   */
  private async writeBit(w: BitWrite, opts: TransactionOptions): Promise<22 | 6> {
    const unit = this.device.unitId;
    let unsupported = noMaskWrite.get(this.port);
    if (this.bitWrite === "mask" || (this.bitWrite === "auto" && unsupported?.has(unit) !== true)) {
      try {
        await this.port.transact(
          unit,
          { fc: 22, address: w.address, andMask: w.andMask, orMask: w.orMask },
          opts,
        );
        this.counters.maskWrites++;
        return 22;
      } catch (err) {
        if (this.bitWrite === "mask" || exceptionCode(err) !== 1) throw err;
        this.counters.maskUnsupported++;
        if (unsupported === undefined) noMaskWrite.set(this.port, (unsupported = new Set()));
        unsupported.add(unit);
      }
    }
    // FC3 then FC6 as one port job: nothing else on the port runs between the read and the write.
    await this.port.transact(unit, { fc: 3, start: w.address, count: 1 }, opts, async (read, run) => {
      const current = read[0];
      if (typeof current !== "number")
        throw new CityTwinError("MODBUS_CORRUPT", `${this.deviceId}: no register in the FC3 response`);
      return run({ fc: 6, address: w.address, value: applyMask(current, w.andMask, w.orMask) });
    });
    this.counters.rmwWrites++;
    return 6;
  }

  async close(): Promise<void> {}
}
