/** Builds one OpcUaDriver per opcua device (each endpoint gets its own client and session). */
import type { DeviceConfig } from "../../config/schema";
import type { DriverContext, DriverFactory, DriverSet } from "../types";
import { OpcUaDriver } from "./opcua-driver";

export const opcuaFactory: DriverFactory = {
  kind: "opcua",
  async create(devices: DeviceConfig[], ctx: DriverContext): Promise<DriverSet> {
    const streaming = devices.flatMap((d) =>
      d.driver === "opcua"
        ? [new OpcUaDriver(d, ctx, ctx.logger.child({ driver: "opcua", deviceId: d.id }))]
        : [],
    );
    return { polling: [], streaming };
  },
};
