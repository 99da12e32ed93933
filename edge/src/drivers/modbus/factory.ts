/**
 * Builds Modbus drivers: one ModbusPort (scheduler) per physical port, one driver per device.
 * `driver: modbus` devices pick a transport; legacy `driver: modbus-tcp` devices are tcp.
 * The returned ModbusDriverSet owns the ports, sums their counters and routes writes.
 */
import type { DeviceConfig, ModbusDeviceConfig, ModbusProfile } from "../../config/schema";
import { fromLegacy, portSettings } from "../../modbus/port-settings";
import type { DriverContext, DriverFactory, DriverSet, StreamingDriver } from "../types";
import { ModbusDriver, type WriteOutcome } from "./driver";
import { ModbusPort } from "./port";
import type { WriteValue } from "./write";

export class ModbusDriverSet implements StreamingDriver {
  readonly deviceIds: readonly string[] = [];
  private readonly byId: Map<string, ModbusDriver>;

  constructor(
    readonly ports: readonly ModbusPort[],
    readonly drivers: readonly ModbusDriver[],
  ) {
    this.byId = new Map(drivers.map((d) => [d.deviceId, d]));
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await Promise.all(this.ports.map((p) => p.close()));
  }

  /** Writes to a device's profile key or raw address; never throws (see ModbusDriver.write). */
  async write(
    deviceId: string,
    target: string | number,
    value: WriteValue,
    timeoutMs?: number,
  ): Promise<WriteOutcome> {
    const d = this.byId.get(deviceId);
    if (d === undefined)
      return { ok: false, code: "UNKNOWN_DEVICE", message: `no modbus device "${deviceId}"` };
    return d.write(target, value, timeoutMs);
  }

  /** Port counters and driver counters (64-bit rounding, bit writes), summed, as modbus_<name>. */
  stats(): Record<string, number> {
    const out: Record<string, number> = {};
    const counters = [...this.ports.map((p) => p.counters), ...this.drivers.map((d) => d.counters)];
    for (const c of counters) {
      for (const [k, v] of Object.entries(c)) out[`modbus_${k}`] = (out[`modbus_${k}`] ?? 0) + v;
    }
    return out;
  }
}

/** Drivers and shared ports for `devices` (already normalised to `driver: modbus`). */
export function buildModbus(devices: readonly ModbusDeviceConfig[], ctx: DriverContext): ModbusDriverSet {
  const ports = new Map<string, ModbusPort>();
  const drivers: ModbusDriver[] = [];
  for (const dev of devices) {
    const settings = portSettings(dev);
    let port = ports.get(settings.key);
    if (port === undefined) {
      port = new ModbusPort(settings, ctx.logger.child({ port: settings.key }), ctx.clock);
      ports.set(settings.key, port);
    }
    const profile = ctx.profiles[dev.profile] as ModbusProfile;
    drivers.push(new ModbusDriver(dev, profile, port, ctx.clock));
  }
  return new ModbusDriverSet([...ports.values()], drivers);
}

function driverSet(set: ModbusDriverSet): DriverSet {
  return { polling: [...set.drivers], streaming: [set] };
}

export const modbusFactory: DriverFactory = {
  kind: "modbus",
  async create(devices: DeviceConfig[], ctx: DriverContext): Promise<DriverSet> {
    return driverSet(
      buildModbus(
        devices.filter((d) => d.driver === "modbus"),
        ctx,
      ),
    );
  },
};

/** Legacy kind: `driver: modbus-tcp` devices run as transport tcp. */
export const modbusTcpFactory: DriverFactory = {
  kind: "modbus-tcp",
  async create(devices: DeviceConfig[], ctx: DriverContext): Promise<DriverSet> {
    const mine = devices.flatMap((d) => (d.driver === "modbus-tcp" ? [fromLegacy(d)] : []));
    return driverSet(buildModbus(mine, ctx));
  },
};
