/**
 * Config loading: YAML → zod validation → profile resolution → secret resolution → hash.
 * `loadEdgeConfig` does no I/O of its own: profile directories and secret files are read
 * through the injected `ConfigIo` (node:fs by default), so tests can feed it fixtures.
 * Relative paths (profileDirs, passwordFile, caFile, stateDir) resolve against the config
 * file's directory. Every error is CityTwinError("CONFIG_INVALID") naming file, path and line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { CityTwinError } from "@citytwin/model";
import { resolveModbusPoint } from "../modbus/point";
import { checkModbusPorts } from "../modbus/port-settings";
import { formatIssue, yamlToJs, type IssuePath } from "@citytwin/model";
import { sha256Hash } from "./hash";
import { edgeConfigSchema, profileSchema, type EdgeConfig, type Profile } from "./schema";

/** File access used by the loader. */
export interface ConfigIo {
  readText(path: string): string;
  listDir(path: string): string[];
}

export const nodeConfigIo: ConfigIo = {
  readText: (p) => readFileSync(p, "utf8"),
  listDir: (p) => readdirSync(p),
};

/** Resolved secrets, kept apart from the config so the config can be logged and hashed. */
export interface EdgeSecrets {
  mqttPassword?: string;
  /** Device id → password. */
  devicePasswords: Record<string, string>;
  /** OPC UA device id → user certificate (DER) and private key (PEM), for auth type certificate. */
  opcuaUserCertificates?: Record<string, { certificate: Buffer; privateKeyPem: string }>;
}

export interface ResolvedEdgeConfig extends EdgeConfig {
  /** The config file as given. */
  file: string;
  /** Absolute state directory. */
  stateDirAbs: string;
  /** Profiles by id (from profileDirs and inline). */
  profileById: Record<string, Profile>;
  /** `sha256:<hex>` of the canonical JSON of the validated config plus the profiles it uses. */
  hash: string;
  secrets: EdgeSecrets;
}

interface Parsed {
  doc: Document;
  lc: LineCounter;
  file: string;
  /** The document as plain JS. */
  raw: unknown;
}

const MAX_REPORTED_ISSUES = 20;

class IssueList {
  readonly lines: string[] = [];
  add(src: Parsed, path: IssuePath, message: string, atKey = false): void {
    this.lines.push(formatIssue(src.file, src.doc, src.lc, path, message, atKey));
  }
  throwIfAny(): void {
    if (this.lines.length === 0) return;
    const shown = this.lines.slice(0, MAX_REPORTED_ISSUES);
    if (this.lines.length > shown.length) shown.push(`… and ${this.lines.length - shown.length} more`);
    throw new CityTwinError("CONFIG_INVALID", shown.join("\n"));
  }
}

function parseYaml(text: string, file: string): Parsed {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const err = doc.errors[0];
  if (err !== undefined) {
    const pos = lc.linePos(err.pos[0]);
    throw new CityTwinError(
      "CONFIG_INVALID",
      `${file}: (line ${pos.line}:${pos.col}): YAML: ${err.message.split("\n")[0] ?? ""}`,
    );
  }
  const js = yamlToJs(doc, lc);
  if (!js.ok) {
    const where = js.pos === undefined ? "" : ` (line ${js.pos.line}:${js.pos.col})`;
    throw new CityTwinError("CONFIG_INVALID", `${file}:${where}: YAML: ${js.message}`);
  }
  return { doc, lc, file, raw: js.value };
}

function validate<T>(
  schema: z.ZodType<T>,
  src: Parsed,
  issues: IssueList,
  base: IssuePath = [],
): T | undefined {
  const res = schema.safeParse(src.raw);
  if (res.success) return res.data;
  for (const issue of res.error.issues) {
    const path = [...base, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) issues.add(src, [...path, key], `unknown key "${key}"`, true);
    } else if (
      issue.code === "invalid_union" &&
      "discriminator" in issue &&
      typeof issue.discriminator === "string"
    ) {
      issues.add(src, [...path, issue.discriminator], issue.message);
    } else {
      issues.add(src, path, issue.message);
    }
  }
  return undefined;
}

function checkProfile(profile: Profile, src: Parsed, base: IssuePath, issues: IssueList): void {
  if (profile.driver !== "modbus") return;
  profile.points.forEach((point, j) => {
    try {
      resolveModbusPoint(point);
    } catch (err) {
      issues.add(src, [...base, "points", j], err instanceof Error ? err.message : String(err));
    }
  });
}

const DRIVER_PROFILE_KIND = { modbus: "modbus", "modbus-tcp": "modbus", "mqtt-json": "mqtt-json" } as const;

/** Parses, validates and resolves a config. Throws CityTwinError("CONFIG_INVALID"). */
export function loadEdgeConfig(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
  io: ConfigIo = nodeConfigIo,
): ResolvedEdgeConfig {
  const src = parseYaml(text, file);
  const issues = new IssueList();
  const config = validate(edgeConfigSchema, src, issues);
  issues.throwIfAny();
  if (config === undefined) throw new CityTwinError("CONFIG_INVALID", `${file}: invalid`);
  const baseDir = dirname(resolve(file));
  const abs = (p: string) => (isAbsolute(p) ? p : join(baseDir, p));

  // Profiles: directories first, then inline; ids must be unique.
  const profileById: Record<string, Profile> = {};
  const origin: Record<string, string> = {};
  config.profileDirs.forEach((dir, i) => {
    let names: string[];
    try {
      names = io
        .listDir(abs(dir))
        .filter((n) => /\.ya?ml$/.test(n))
        .sort();
    } catch (cause) {
      issues.add(
        src,
        ["profileDirs", i],
        `cannot read profile directory ${abs(dir)}: ${(cause as Error).message}`,
      );
      return;
    }
    for (const name of names) {
      const pfile = join(abs(dir), name);
      let psrc: Parsed;
      try {
        psrc = parseYaml(io.readText(pfile), pfile);
      } catch (cause) {
        issues.lines.push(
          cause instanceof CityTwinError ? cause.message : `${pfile}: ${(cause as Error).message}`,
        );
        continue;
      }
      const profile = validate(profileSchema, psrc, issues);
      if (profile === undefined) continue;
      checkProfile(profile, psrc, [], issues);
      if (origin[profile.id] !== undefined) {
        issues.add(psrc, ["id"], `duplicate profile id "${profile.id}" (also in ${origin[profile.id]})`);
        continue;
      }
      profileById[profile.id] = profile;
      origin[profile.id] = pfile;
    }
  });
  config.profiles.forEach((profile, k) => {
    checkProfile(profile, src, ["profiles", k], issues);
    if (origin[profile.id] !== undefined) {
      issues.add(
        src,
        ["profiles", k, "id"],
        `duplicate profile id "${profile.id}" (also in ${origin[profile.id]})`,
      );
      return;
    }
    profileById[profile.id] = profile;
    origin[profile.id] = `${file} profiles[${k}]`;
  });

  // Devices: unique ids, profiles exist and fit the driver, secrets resolve.
  const secrets: EdgeSecrets = { devicePasswords: {} };
  const seen = new Map<string, number>();
  const readSecret = (
    path: IssuePath,
    ref: { passwordEnv?: string | undefined; passwordFile?: string | undefined },
  ): string | undefined => {
    if (ref.passwordEnv !== undefined && ref.passwordFile !== undefined) {
      issues.add(src, [...path, "passwordFile"], "give at most one of passwordEnv or passwordFile");
      return undefined;
    }
    if (ref.passwordEnv !== undefined) {
      const v = env[ref.passwordEnv];
      if (v === undefined)
        issues.add(src, [...path, "passwordEnv"], `environment variable ${ref.passwordEnv} is not set`);
      return v;
    }
    if (ref.passwordFile !== undefined) {
      try {
        return io.readText(abs(ref.passwordFile)).replace(/\r?\n$/, "");
      } catch (cause) {
        issues.add(
          src,
          [...path, "passwordFile"],
          `cannot read ${abs(ref.passwordFile)}: ${(cause as Error).message}`,
        );
      }
    }
    return undefined;
  };
  const mqttPassword = readSecret(["mqtt"], config.mqtt);
  if (mqttPassword !== undefined) secrets.mqttPassword = mqttPassword;
  const usedProfiles = new Set<string>();
  config.devices.forEach((device, i) => {
    const first = seen.get(device.id);
    if (first !== undefined)
      issues.add(src, ["devices", i, "id"], `duplicate device id "${device.id}" (also devices[${first}])`);
    else seen.set(device.id, i);
    if (device.driver === "opcua") {
      const auth = device.auth ?? { type: "anonymous" };
      if (auth.type === "username") {
        const pw = readSecret(["devices", i, "auth"], auth);
        if (pw !== undefined) secrets.devicePasswords[device.id] = pw;
        else if (auth.passwordEnv === undefined && auth.passwordFile === undefined)
          issues.add(src, ["devices", i, "auth"], "auth type username needs passwordEnv or passwordFile");
      } else if (auth.type === "certificate") {
        const read = (key: "certificateFile" | "privateKeyFile"): string | undefined => {
          try {
            return io.readText(abs(auth[key]));
          } catch (cause) {
            const msg = `cannot read ${abs(auth[key])}: ${(cause as Error).message}`;
            issues.add(src, ["devices", i, "auth", key], msg);
            return undefined;
          }
        };
        const certPem = read("certificateFile");
        const certificate = pemToDer(certPem);
        if (certPem !== undefined && certificate === undefined)
          issues.add(src, ["devices", i, "auth", "certificateFile"], "no PEM CERTIFICATE block found");
        const privateKeyPem = read("privateKeyFile");
        if (certificate !== undefined && privateKeyPem !== undefined)
          (secrets.opcuaUserCertificates ??= {})[device.id] = { certificate, privateKeyPem };
      }
      return;
    }
    if (device.driver === "mqtt-json") {
      const pw = readSecret(["devices", i], device);
      if (pw !== undefined) secrets.devicePasswords[device.id] = pw;
    }
    const profile = profileById[device.profile];
    const want = DRIVER_PROFILE_KIND[device.driver];
    if (profile === undefined) {
      issues.add(src, ["devices", i, "profile"], `unknown profile "${device.profile}"`);
    } else if (profile.driver !== want) {
      issues.add(
        src,
        ["devices", i, "profile"],
        `profile "${device.profile}" is for driver ${profile.driver}, not ${want}`,
      );
    } else {
      usedProfiles.add(profile.id);
    }
  });
  for (const c of checkModbusPorts(config.devices)) issues.add(src, ["devices", c.index, c.field], c.message);
  issues.throwIfAny();

  const hash = sha256Hash({
    config,
    profiles: [...usedProfiles].sort().map((id) => profileById[id]),
  });
  return { ...config, file, stateDirAbs: abs(config.stateDir), profileById, hash, secrets };
}

/** The first certificate of a PEM text as DER (OPC UA carries certificates as DER). */
function pemToDer(pem: string | undefined): Buffer | undefined {
  if (pem === undefined) return undefined;
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  return m?.[1] === undefined ? undefined : Buffer.from(m[1].replace(/\s+/g, ""), "base64");
}

/** Reads and loads a config file; a read failure is CityTwinError("CONFIG_READ"). */
export function readEdgeConfigFile(
  path: string,
  env: NodeJS.ProcessEnv,
  io: ConfigIo = nodeConfigIo,
): ResolvedEdgeConfig {
  let text: string;
  try {
    text = io.readText(path);
  } catch (cause) {
    throw new CityTwinError("CONFIG_READ", `${path}: cannot read config: ${(cause as Error).message}`, {
      cause,
    });
  }
  return loadEdgeConfig(text, path, env, io);
}
