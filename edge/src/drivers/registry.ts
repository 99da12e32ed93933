/**
 * The explicit driver table: no import side effects. Heavy protocol libraries load lazily:
 * node-opcua only when a config has an opcua device, MQTT.js field connections only for
 * mqtt-json devices.
 */
import type { DeviceConfig } from "../config/schema";
import { modbusFactory, modbusTcpFactory } from "./modbus/factory";
import type { DriverContext, DriverFactory, DriverSet } from "./types";

const lazy = (kind: DeviceConfig["driver"], load: () => Promise<DriverFactory>): DriverFactory => ({
  kind,
  create: async (devices, ctx) => (await load()).create(devices, ctx),
});

export const DRIVER_FACTORIES: readonly DriverFactory[] = [
  modbusFactory,
  modbusTcpFactory,
  lazy("opcua", async () => (await import("./opcua/factory")).opcuaFactory),
  lazy("mqtt-json", async () => (await import("./mqtt-json/factory")).mqttJsonFactory),
];

/** Creates drivers for every device, grouped by kind so drivers can share connections. */
export async function createDrivers(
  devices: readonly DeviceConfig[],
  ctx: DriverContext,
): Promise<DriverSet> {
  const out: DriverSet = { polling: [], streaming: [] };
  for (const f of DRIVER_FACTORIES) {
    const mine = devices.filter((d) => d.driver === f.kind);
    if (mine.length === 0) continue;
    const set = await f.create(mine, ctx);
    out.polling.push(...set.polling);
    out.streaming.push(...set.streaming);
  }
  return out;
}
