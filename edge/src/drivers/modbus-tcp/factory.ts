/** Builds Modbus TCP drivers: one shared ModbusTcpPort per host:port, one driver per device. */
import type { DeviceConfig, ModbusProfile, ModbusTcpDeviceConfig } from "../../config/schema";
import type { DriverContext, DriverFactory, DriverSet, PollingDriver, StreamingDriver } from "../types";
import { ModbusTcpDriver } from "./modbus-tcp-driver";
import { ModbusTcpPort } from "./port";

/** Closes the shared ports once every driver is closed. */
class PortOwner implements StreamingDriver {
  readonly deviceIds: readonly string[] = [];
  constructor(private readonly ports: ModbusTcpPort[]) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {
    await Promise.all(this.ports.map((p) => p.close()));
  }
  stats(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.ports) {
      for (const [k, v] of Object.entries(p.counters)) out[`modbus_${k}`] = (out[`modbus_${k}`] ?? 0) + v;
    }
    return out;
  }
}

export const modbusTcpFactory: DriverFactory = {
  kind: "modbus-tcp",
  async create(devices: DeviceConfig[], ctx: DriverContext): Promise<DriverSet> {
    const ports = new Map<string, ModbusTcpPort>();
    const polling: PollingDriver[] = [];
    for (const d of devices) {
      if (d.driver !== "modbus-tcp") continue;
      const dev: ModbusTcpDeviceConfig = d;
      const key = `${dev.host}:${dev.port}`;
      let port = ports.get(key);
      if (port === undefined) {
        port = new ModbusTcpPort(dev.host, dev.port, ctx.logger.child({ port: key }), ctx.clock);
        ports.set(key, port);
      }
      const profile = ctx.profiles[dev.profile] as ModbusProfile;
      polling.push(new ModbusTcpDriver(dev, profile, port, ctx.clock));
    }
    return { polling, streaming: [new PortOwner([...ports.values()])] };
  },
};
