/**
 * Commands: platform → edge on `ct/v1/{tenant}/{gw}/cmd/{name}`, result edge → platform on
 * `…/cmd/{name}/result`, both QoS 1. Every command has an id, a timeout and exactly one result;
 * an edge that cannot run a command answers `ok: false` with an error code, never silence.
 */
import { z } from "zod";
import { deviceIdSchema, sensorKeySchema } from "./ids";
import { WIRE_VERSION } from "./telemetry";

export const COMMAND_NAMES = ["write", "lamp", "ping"] as const;
export const commandNameSchema = z.enum(COMMAND_NAMES);

export const commandSchema = z
  .object({
    v: z.literal(WIRE_VERSION),
    id: z.string().min(1).max(64),
    name: commandNameSchema,
    target: z.object({ deviceId: deviceIdSchema, key: sensorKeySchema.optional() }).strict().optional(),
    args: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).default({}),
    issuedAt: z.number().int().nonnegative(),
    issuedBy: z.string().max(64),
    timeoutMs: z.number().int().positive().max(600_000),
  })
  .strict();
export type Command = z.infer<typeof commandSchema>;

export const COMMAND_ERROR_CODES = [
  "INVALID_COMMAND",
  "UNKNOWN_DEVICE",
  "UNSUPPORTED",
  "DEVICE_ERROR",
  "TIMEOUT",
  "EXPIRED",
] as const;

export const commandResultSchema = z
  .object({
    v: z.literal(WIRE_VERSION),
    id: z.string().min(1).max(64),
    ok: z.boolean(),
    error: z
      .object({ code: z.enum(COMMAND_ERROR_CODES), message: z.string() })
      .strict()
      .optional(),
    value: z.union([z.number(), z.boolean(), z.string()]).optional(),
    completedAt: z.number().int().nonnegative(),
  })
  .strict();
export type CommandResult = z.infer<typeof commandResultSchema>;
