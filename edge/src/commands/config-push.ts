/**
 * Checks a pushed GatewayConfigMessage [model/src/config-message.ts] before the agent applies
 * it: schema, `hash` = sha256 of the canonical JSON of `body`, then the same loader as the
 * config file (the body is loaded as the JSON text `pushed-config-v{version}.json` beside the
 * running config file, so relative paths resolve the same way and errors name path and line).
 * Only devices and profiles change at runtime: a body that changes gateway, mqtt, publish or
 * stateDir is rejected (those need an agent restart).
 *
 * Persistence: an applied push is saved atomically (temp file, fsync, rename, fsync of the
 * directory) as `<stateDir>/pushed-config.json` = { version, hash, fileHash, savedAt, message }.
 * At start the agent runs it instead of the `--config` file when it still passes every check
 * above against the file config, its version is newer than the file's (1), and the file config
 * is the one it was pushed over (`fileHash`): an operator who edits the file wins.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
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

export const PUSHED_CONFIG_FILE = "pushed-config.json";

export interface PersistedConfig {
  version: number;
  hash: string;
  /** Loader hash of the `--config` file the push was applied over. */
  fileHash: string;
  savedAt: number;
  /** The GatewayConfigMessage as received. */
  message: unknown;
}

/** Writes `<stateDir>/pushed-config.json` atomically: temp file, fsync, rename, fsync dir. */
export function savePushedConfig(stateDir: string, saved: PersistedConfig): string {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, PUSHED_CONFIG_FILE);
  const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(saved, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  const dirFd = openSync(stateDir, "r");
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
  return file;
}

export type StartupConfig =
  | { source: "pushed"; config: ResolvedEdgeConfig; version: number; hash: string; file: string }
  | { source: "file"; config: ResolvedEdgeConfig; reason: string; warn: boolean; file?: string };

/**
 * Picks the config to start with: the persisted push when it is usable (see the header), else
 * the file config with the reason (`warn` when a persisted file exists but is unusable).
 */
export function startupConfig(
  fileConfig: ResolvedEdgeConfig,
  env: NodeJS.ProcessEnv,
  io: ConfigIo = nodeConfigIo,
): StartupConfig {
  const file = join(fileConfig.stateDirAbs, PUSHED_CONFIG_FILE);
  const useFile = (reason: string, warn: boolean): StartupConfig => ({
    source: "file",
    config: fileConfig,
    reason,
    warn,
    file,
  });
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return useFile("no pushed config saved", false);
    return useFile(`cannot read ${file}: ${(err as Error).message}`, true);
  }
  let saved: Partial<PersistedConfig>;
  try {
    saved = JSON.parse(text) as Partial<PersistedConfig>;
  } catch (err) {
    return useFile(`${file} is not JSON: ${(err as Error).message}`, true);
  }
  if (saved === null || typeof saved !== "object" || saved.message === undefined)
    return useFile(`${file} has no config message`, true);
  if (saved.fileHash !== fileConfig.hash)
    return useFile(`the config file changed since version ${String(saved.version)} was pushed`, false);
  const check = checkPushedConfig(Buffer.from(JSON.stringify(saved.message)), fileConfig, env, io);
  if (!check.ok) return useFile(`${file}: ${check.message}`, true);
  if (check.version <= 1)
    return useFile(`pushed version ${check.version} is not newer than the file's`, true);
  if (check.hash !== saved.hash || check.version !== saved.version)
    return useFile(`${file}: version/hash do not match the saved message`, true);
  return { source: "pushed", config: check.config, version: check.version, hash: check.hash, file };
}
