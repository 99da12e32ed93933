/**
 * Checks a pushed GatewayConfigMessage [model/src/config-message.ts] before the agent applies
 * it: schema, `hash` = sha256 of the canonical JSON of `body`, then the same loader as the
 * config file (the body is loaded as the JSON text `pushed-config-v{version}.json` beside the
 * running config file, so relative paths resolve the same way and errors name path and line).
 * Only devices and profiles change at runtime: a body that changes gateway, mqtt, publish or
 * stateDir is rejected (those need an agent restart).
 */
import { dirname, join } from "node:path";
import { CityTwinError, gatewayConfigMessageSchema } from "@citytwin/model";
import { canonicalJson, sha256Hash } from "../config/hash";
import { loadEdgeConfig, nodeConfigIo, type ConfigIo, type ResolvedEdgeConfig } from "../config/load";

export type ConfigCheck =
  | { ok: true; config: ResolvedEdgeConfig; version: number; hash: string }
  | { ok: false; version: number | undefined; message: string };

const FIXED = ["gateway", "mqtt", "publish", "stateDir"] as const;

export function checkPushedConfig(
  payload: Buffer,
  current: ResolvedEdgeConfig,
  env: NodeJS.ProcessEnv,
  io: ConfigIo = nodeConfigIo,
): ConfigCheck {
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString("utf8"));
  } catch (err) {
    return { ok: false, version: undefined, message: `not JSON: ${(err as Error).message}` };
  }
  const parsed = gatewayConfigMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const v = (raw as { version?: unknown } | null)?.version;
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "invalid" : `${issue.path.join(".") || "(root)"}: ${issue.message}`;
    return { ok: false, version: typeof v === "number" ? v : undefined, message: `config message ${where}` };
  }
  const msg = parsed.data;
  const fail = (message: string): ConfigCheck => ({ ok: false, version: msg.version, message });
  const actual = sha256Hash(msg.body);
  if (actual !== msg.hash) return fail(`hash mismatch: body hashes to ${actual}`);
  const file = join(dirname(current.file), `pushed-config-v${msg.version}.json`);
  let config: ResolvedEdgeConfig;
  try {
    config = loadEdgeConfig(JSON.stringify(msg.body, null, 2), file, env, io);
  } catch (err) {
    return fail(err instanceof CityTwinError ? err.message : String(err));
  }
  for (const key of FIXED) {
    if (canonicalJson(config[key]) !== canonicalJson(current[key]))
      return fail(`${key} differs from the running config; changing it needs an agent restart`);
  }
  return { ok: true, config, version: msg.version, hash: msg.hash };
}
