/**
 * Versioned remote config, topic `ct/v1/{tenant}/{gw}/config`, QoS 1, retained. The edge
 * reports the version and hash it runs in its status, so drift between what the platform
 * intends and what a gateway runs is visible.
 *
 * The edge answers every config message with a CommandResult on `…/cmd/config/result`
 * (id `config-v{version}`): ok with value = the hash it now runs, or CONFIG_REJECTED with the
 * reason (validation errors name path and line of the body's JSON text).
 */
import { z } from "zod";
import { WIRE_VERSION } from "./telemetry";

export const gatewayConfigMessageSchema = z
  .object({
    v: z.literal(WIRE_VERSION),
    version: z.number().int().nonnegative(),
    /** `sha256:` + hex digest of the canonical JSON of `body`. */
    hash: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    issuedAt: z.number().int().nonnegative(),
    body: z.record(z.string(), z.unknown()),
  })
  .strict();
export type GatewayConfigMessage = z.infer<typeof gatewayConfigMessageSchema>;

/** Command name under which config results are published (`…/cmd/config/result`). */
export const CONFIG_RESULT_NAME = "config";
export const configResultId = (version: number): string => `config-v${version}`;
