/**
 * Commands: platform → edge on `ct/v1/{tenant}/{gw}/cmd/{name}`, result edge → platform on
 * `…/cmd/{name}/result`, both QoS 1. Every command has an id, a timeout and exactly one result;
 * an edge that cannot run a command answers `ok: false` with an error code, never silence.
 */
import { z } from "zod";
import { deviceIdSchema, sensorKeySchema } from "./ids";
import { WIRE_VERSION } from "./telemetry";

/**
 * `write` and `lamp` are reserved (answered UNSUPPORTED). The runnable writes are
 * `modbus-write`, `opcua-write` and `lamp-set` (topic segments allow no dots); their args are
 * described in docs/edge-remote-ops.md.
 */
export const COMMAND_NAMES = ["write", "lamp", "ping", "modbus-write", "opcua-write", "lamp-set"] as const;
export const commandNameSchema = z.enum(COMMAND_NAMES);

export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;
export const MAX_COMMAND_TIMEOUT_MS = 60_000;

/** A scalar, or a list of numbers / booleans (Modbus multi-register and multi-coil writes). */
export const commandArgSchema = z.union([
  z.number(),
  z.boolean(),
  z.string(),
  z.array(z.number()).max(1968),
  z.array(z.boolean()).max(1968),
]);

export const commandSchema = z
  .object({
    v: z.literal(WIRE_VERSION),
    id: z.string().min(1).max(64),
    name: commandNameSchema,
    target: z.object({ deviceId: deviceIdSchema, key: sensorKeySchema.optional() }).strict().optional(),
    args: z.record(z.string(), commandArgSchema).default({}),
    issuedAt: z.number().int().nonnegative(),
    issuedBy: z.string().max(64),
    /** How long the edge may work on it; the edge caps it at MAX_COMMAND_TIMEOUT_MS. */
    timeoutMs: z.number().int().positive().max(600_000).default(DEFAULT_COMMAND_TIMEOUT_MS),
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
  /** Arguments missing or of the wrong type for the command or the target point. */
  "INVALID_ARGS",
  /** A pushed config was not applied (see config-message.ts); the old one keeps running. */
  "CONFIG_REJECTED",
] as const;
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

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

/** POST /api/gateways/{id}/commands/{name}: what an operator sends; the gateway fills the rest. */
export const commandRequestSchema = z
  .object({
    target: commandSchema.shape.target,
    args: z.record(z.string(), commandArgSchema).default({}),
    timeoutMs: z.number().int().positive().max(60_000).optional(),
  })
  .strict();
export type CommandRequest = z.infer<typeof commandRequestSchema>;
