/**
 * Runs dispatched commands against the agent's current drivers and always produces exactly one
 * CommandResult. Codes: INVALID_ARGS (missing/ill-typed args), UNKNOWN_DEVICE (no such device,
 * or not of the command's driver kind), DEVICE_ERROR, TIMEOUT (the driver did not finish within
 * min(timeoutMs, MAX_COMMAND_TIMEOUT_MS)), UNSUPPORTED (driver cannot do it).
 */
import {
  MAX_COMMAND_TIMEOUT_MS,
  WIRE_VERSION,
  type Command,
  type CommandErrorCode,
  type CommandResult,
} from "@citytwin/model";
import type { DeviceConfig } from "../config/schema";
import { ModbusDriverSet } from "../drivers/modbus/factory";
import type { WriteValue } from "../drivers/modbus/write";
import type { StreamingDriver } from "../drivers/types";
import type { Clock } from "../runtime/clock";
import type { DriverReply, LampControl, OpcuaWritable } from "./types";

export interface DispatchView {
  devices: readonly DeviceConfig[];
  streaming: readonly StreamingDriver[];
}

type Arg = Command["args"][string];

class ArgError extends Error {}

const has = <K extends string>(d: StreamingDriver, method: K): boolean =>
  typeof (d as unknown as Record<string, unknown>)[method] === "function";

export class CommandDispatcher {
  constructor(
    private readonly view: () => DispatchView,
    private readonly clock: Clock,
  ) {}

  async run(cmd: Command): Promise<CommandResult> {
    const timeoutMs = Math.min(cmd.timeoutMs, MAX_COMMAND_TIMEOUT_MS);
    let reply: DriverReply;
    try {
      reply = await withTimeout(this.exec(cmd, timeoutMs), timeoutMs);
    } catch (err) {
      const code: CommandErrorCode = err instanceof ArgError ? "INVALID_ARGS" : "DEVICE_ERROR";
      reply = { ok: false, code, message: err instanceof Error ? err.message : String(err) };
    }
    const base: Pick<CommandResult, "v" | "id" | "completedAt"> = {
      v: WIRE_VERSION,
      id: cmd.id,
      completedAt: this.clock.now(),
    };
    if (!reply.ok) return { ...base, ok: false, error: { code: reply.code, message: reply.message } };
    return reply.value === undefined ? { ...base, ok: true } : { ...base, ok: true, value: reply.value };
  }

  private exec(cmd: Command, timeoutMs: number): Promise<DriverReply> {
    const deviceId = cmd.target?.deviceId;
    if (deviceId === undefined) throw new ArgError("target.deviceId is required");
    const { devices, streaming } = this.view();
    const device = devices.find((d) => d.id === deviceId);
    const unknown = (kind: string): DriverReply => ({
      ok: false,
      code: "UNKNOWN_DEVICE",
      message:
        device === undefined
          ? `no device "${deviceId}"`
          : `device "${deviceId}" is ${device.driver}, not ${kind}`,
    });
    const args = cmd.args;
    switch (cmd.name) {
      case "modbus-write": {
        if (device?.driver !== "modbus" && device?.driver !== "modbus-tcp")
          return Promise.resolve(unknown("modbus"));
        const target = cmd.target?.key ?? args["address"];
        if (typeof target !== "string" && typeof target !== "number")
          throw new ArgError("give target.key or args.address");
        const value = need(args, "value");
        const set = streaming.find(
          (s): s is ModbusDriverSet =>
            s instanceof ModbusDriverSet && s.drivers.some((d) => d.deviceId === deviceId),
        );
        if (set === undefined) return Promise.resolve(unknown("modbus"));
        return set.write(deviceId, target, value as WriteValue, timeoutMs).then((o) =>
          o.ok
            ? { ok: true, value: `fc${o.fc}@${o.address}` }
            : {
                ok: false,
                code: o.code === "INVALID_COMMAND" ? "INVALID_ARGS" : o.code,
                message: o.message,
              },
        );
      }
      case "opcua-write": {
        if (device?.driver !== "opcua") return Promise.resolve(unknown("opcua"));
        const value = need(args, "value");
        if (Array.isArray(value)) throw new ArgError("args.value must be a scalar");
        const key = cmd.target?.key ?? optString(args, "key");
        const nodeId = optString(args, "nodeId");
        const browsePath = optString(args, "browsePath");
        if ([key, nodeId, browsePath].filter((x) => x !== undefined).length !== 1)
          throw new ArgError("give exactly one of target.key, args.nodeId or args.browsePath");
        const dataType = optString(args, "dataType");
        const drv = streaming.find((s) => has(s, "opcuaWrite") && s.deviceIds.includes(deviceId)) as
          OpcuaWritable | undefined;
        if (drv === undefined) return Promise.resolve(unknown("opcua"));
        return drv.opcuaWrite(
          {
            value,
            ...(key === undefined ? {} : { key }),
            ...(nodeId === undefined ? {} : { nodeId }),
            ...(browsePath === undefined ? {} : { browsePath }),
            ...(dataType === undefined ? {} : { dataType }),
          },
          timeoutMs,
        );
      }
      case "lamp-set": {
        if (device?.driver !== "mqtt-json") return Promise.resolve(unknown("mqtt-json"));
        const on = args["on"];
        const dimming = args["dimming"];
        if (on !== undefined && typeof on !== "boolean") throw new ArgError("args.on must be a boolean");
        if (dimming !== undefined && (typeof dimming !== "number" || !(dimming >= 0 && dimming <= 100)))
          throw new ArgError("args.dimming must be a number 0..100");
        if (on === undefined && dimming === undefined) throw new ArgError("give args.on and/or args.dimming");
        const drv = streaming.find((s) => has(s, "setLamp") && s.deviceIds.includes(deviceId)) as
          LampControl | undefined;
        if (drv === undefined) return Promise.resolve(unknown("mqtt-json"));
        const state = { ...(on === undefined ? {} : { on }), ...(dimming === undefined ? {} : { dimming }) };
        return drv.setLamp(deviceId, state, cmd.id, timeoutMs);
      }
      default:
        return Promise.resolve({
          ok: false,
          code: "UNSUPPORTED",
          message: `command "${cmd.name}" is not dispatched`,
        });
    }
  }
}

function need(args: Command["args"], name: string): Arg {
  const v = args[name];
  if (v === undefined) throw new ArgError(`args.${name} is required`);
  return v;
}

function optString(args: Command["args"], name: string): string | undefined {
  const v = args[name];
  if (v !== undefined && typeof v !== "string") throw new ArgError(`args.${name} must be a string`);
  return v;
}

/** Resolves with the promise, or a TIMEOUT reply after `ms` (the driver call is abandoned). */
function withTimeout(p: Promise<DriverReply>, ms: number): Promise<DriverReply> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DriverReply>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, code: "TIMEOUT", message: `no result within ${ms} ms` }),
      ms,
    );
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
