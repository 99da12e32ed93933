/** What the command dispatcher needs from drivers; the drivers implement these structurally. */
import type { CommandErrorCode } from "@citytwin/model";

export type DriverReply =
  { ok: true; value?: number | boolean | string } | { ok: false; code: CommandErrorCode; message: string };

export interface OpcuaWriteArgs {
  /** A point key of the device, or an explicit nodeId / browsePath (exactly one). */
  key?: string;
  nodeId?: string;
  browsePath?: string;
  value: number | boolean | string;
  /** OPC UA built-in type name (e.g. "Double", "Int32"); read from the node when absent. */
  dataType?: string;
}

export interface OpcuaWritable {
  readonly deviceIds: readonly string[];
  opcuaWrite(args: OpcuaWriteArgs, timeoutMs: number): Promise<DriverReply>;
}

export interface LampState {
  on?: boolean;
  /** 0..100 %. */
  dimming?: number;
}

export interface LampControl {
  readonly deviceIds: readonly string[];
  setLamp(deviceId: string, state: LampState, commandId: string, timeoutMs: number): Promise<DriverReply>;
}
