/** Starts an OpcUaDriver for tests with a silent logger, collecting readings and health. */
import { pino } from "pino";
import type { OpcuaDeviceConfig } from "../../src/config/schema";
import { OpcUaDriver } from "../../src/drivers/opcua/opcua-driver";
import type { Reading } from "../../src/drivers/types";

export interface RunningOpcuaDriver {
  driver: OpcUaDriver;
  got: Reading[];
  health: string[];
}

export async function startOpcuaDriver(
  device: OpcuaDeviceConfig,
  stateDir: string,
): Promise<RunningOpcuaDriver> {
  const got: Reading[] = [];
  const health: string[] = [];
  const silent = pino({ level: "silent" });
  const driver = new OpcUaDriver(
    device,
    {
      logger: silent,
      clock: { now: () => Date.now() },
      stateDir,
      gatewayId: "gw-test",
      profiles: {},
      secrets: { devicePasswords: {} },
    },
    silent,
  );
  await driver.start({ readings: (rs) => got.push(...rs), health: (_id, h) => health.push(h) });
  return { driver, got, health };
}
