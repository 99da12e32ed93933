/**
 * Loads the gateway config. `loadGatewayConfig` is pure (text, file name, environment in;
 * resolved config out); `loadGatewayConfigFile` reads the file. Every validation error
 * names the file, the path and the line, e.g.
 * `gateway.yaml: influx.v2.tokenEnv (line 12:15): environment variable INFLUX_TOKEN is not set`.
 */
import { readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { CityTwinError } from "@citytwin/model";
import { LineCounter, parseDocument } from "yaml";
import { gatewayConfigSchema, type GatewayConfigFile } from "./schema";
import { formatIssue, yamlToJs } from "@citytwin/model";

export interface InfluxV2Resolved {
  url: string;
  org: string;
  bucket: string;
  token: string;
}

export interface InfluxV1Resolved {
  url: string;
  database: string;
  username?: string;
  password?: string;
  retentionPolicy?: string;
}

/** The config with paths made absolute and secrets resolved from the environment. */
export interface GatewayConfig extends Omit<GatewayConfigFile, "influx"> {
  /** Absolute path of the config file ("<inline>" for text without a file). */
  file: string;
  influx?: {
    v2?: InfluxV2Resolved;
    v1?: InfluxV1Resolved;
    batchSize: number;
    flushIntervalMs: number;
    maxRetries: number;
    maxQueuedLines: number;
    concurrency: number;
  };
}

type TlsFiles = NonNullable<GatewayConfigFile["tls"]>;

/** The certificate a listener uses: its own, else the shared `tls`; undefined: plain. */
export function listenerTls(
  config: Pick<GatewayConfig, "tls">,
  own: TlsFiles | undefined,
): TlsFiles | undefined {
  return own ?? config.tls;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

export function loadGatewayConfig(
  text: string,
  file: string,
  env: Record<string, string | undefined>,
): GatewayConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const fail = (messages: string[]): never => {
    throw new CityTwinError("CONFIG_INVALID", `invalid gateway config:\n  ${messages.join("\n  ")}`);
  };
  if (doc.errors.length > 0) {
    fail(
      doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return `${file} (line ${pos.line}:${pos.col}): YAML ${e.message.split("\n")[0] ?? ""}`;
      }),
    );
  }
  const js = yamlToJs(doc, lc);
  if (!js.ok) {
    const where = js.pos === undefined ? "" : ` (line ${js.pos.line}:${js.pos.col})`;
    fail([`${file}${where}: YAML ${js.message}`]);
  }
  const raw: unknown = (js as { value: unknown }).value;
  const parsed = gatewayConfigSchema.safeParse(raw);
  if (!parsed.success) {
    fail(
      parsed.error.issues.map((issue) => {
        if (issue.code === "unrecognized_keys") {
          return issue.keys
            .map((k) => formatIssue(file, doc, lc, [...issue.path, k], "unknown key", true))
            .join("\n  ");
        }
        return formatIssue(file, doc, lc, issue.path, issue.message);
      }),
    );
  }
  const cfg = (parsed as { data: GatewayConfigFile }).data;
  const errors: string[] = [];
  const at = (path: PropertyKey[], message: string) => errors.push(formatIssue(file, doc, lc, path, message));
  const fromEnv = (name: string | undefined, path: PropertyKey[]): string | undefined => {
    if (name === undefined) return undefined;
    const value = env[name];
    if (value === undefined || value === "") at(path, `environment variable ${name} is not set`);
    return value;
  };

  if (cfg.mode === "demo") {
    if (!isLoopbackHost(cfg.mqtt.host))
      at(["mqtt", "host"], "demo mode (auth open) requires a loopback bind address");
    if (!isLoopbackHost(cfg.http.host))
      at(["http", "host"], "demo mode (auth open) requires a loopback bind address");
  } else if (
    cfg.gateways.length === 0 &&
    cfg.provisioning.keys.length === 0 &&
    !cfg.operators.some((o) => o.role === "admin")
  ) {
    at(["gateways"], "secure mode needs a gateway credential, a provisioning key or an admin operator");
  }
  const keyIds = new Set<string>();
  cfg.provisioning.keys.forEach((k, i) => {
    if (keyIds.has(k.id)) at(["provisioning", "keys", i, "id"], `duplicate provisioning key ${k.id}`);
    keyIds.add(k.id);
  });
  const seen = new Set<string>();
  cfg.gateways.forEach((g, i) => {
    if (seen.has(g.id)) at(["gateways", i, "id"], `duplicate gateway id ${g.id}`);
    seen.add(g.id);
  });
  const names = new Set<string>();
  cfg.operators.forEach((o, i) => {
    if (names.has(o.name)) at(["operators", i, "name"], `duplicate operator ${o.name}`);
    names.add(o.name);
  });
  if (cfg.ingest.queueMax < cfg.ingest.queueHighWater) {
    at(["ingest", "queueMax"], "must be at least ingest.queueHighWater");
  }
  if (cfg.mqtt.persistence === "level" && cfg.alarms.stateDir === undefined)
    at(["mqtt", "persistence"], "level needs alarms.stateDir (sessions live in <stateDir>/mqtt-sessions)");

  const base = dirname(resolve(file));
  let influx: GatewayConfig["influx"];
  if (cfg.influx !== undefined) {
    const { v1, v2, ...rest } = cfg.influx;
    if (v1 === undefined && v2 === undefined) at(["influx"], "configure influx.v1, influx.v2 or both");
    influx = { ...rest };
    if (v2 !== undefined) {
      const token = fromEnv(v2.tokenEnv, ["influx", "v2", "tokenEnv"]) ?? "";
      influx.v2 = { url: v2.url, org: v2.org, bucket: v2.bucket, token };
    }
    if (v1 !== undefined) {
      influx.v1 = {
        url: v1.url,
        database: v1.database,
        username: fromEnv(v1.usernameEnv, ["influx", "v1", "usernameEnv"]),
        password: fromEnv(v1.passwordEnv, ["influx", "v1", "passwordEnv"]),
        retentionPolicy: v1.retentionPolicy,
      };
    }
  }
  // TLS files: resolved against the config file and read once here, so a missing or unreadable
  // certificate is a config error with its line rather than a failure at listen time.
  const tlsFiles = (tls: TlsFiles | undefined, path: PropertyKey[]): TlsFiles | undefined => {
    if (tls === undefined) return undefined;
    const out = { ...tls };
    for (const key of ["certFile", "keyFile", "caFile"] as const) {
      const rel = tls[key];
      if (rel === undefined) continue;
      const abs = resolve(base, rel);
      out[key] = abs;
      let text = "";
      try {
        text = readFileSync(abs, "utf8");
      } catch (err) {
        at([...path, key], `cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        continue;
      }
      if (!text.includes("-----BEGIN ")) at([...path, key], `${abs} is not a PEM file`);
    }
    if (tls.requestCert && tls.caFile === undefined)
      at([...path, "requestCert"], "requestCert needs caFile (the CA that signs client certificates)");
    return out;
  };
  const tls = tlsFiles(cfg.tls, ["tls"]);
  const mqttTls = tlsFiles(cfg.mqtt.tls, ["mqtt", "tls"]);
  const httpTls = tlsFiles(cfg.http.tls, ["http", "tls"]);
  if (httpTls?.requestCert === true)
    at(
      ["http", "tls", "requestCert"],
      "mutual TLS is for MQTT only (the shared tls.requestCert applies to MQTT)",
    );
  const assetsDir = cfg.viewer?.assetsDir === undefined ? undefined : resolve(base, cfg.viewer.assetsDir);
  if (assetsDir !== undefined && statSync(assetsDir, { throwIfNoEntry: false })?.isDirectory() !== true)
    at(["viewer", "assetsDir"], `${assetsDir} is not a directory`);
  if (errors.length > 0) fail(errors);

  return {
    ...cfg,
    file: resolve(file),
    city: resolve(base, cfg.city),
    tls,
    mqtt: { ...cfg.mqtt, tls: mqttTls },
    http: {
      ...cfg.http,
      tls: httpTls,
      staticDir: cfg.http.staticDir === undefined ? undefined : resolve(base, cfg.http.staticDir),
    },
    alarms: {
      ...cfg.alarms,
      stateDir: cfg.alarms.stateDir === undefined ? undefined : resolve(base, cfg.alarms.stateDir),
    },
    ingest: {
      ...cfg.ingest,
      deadLetterFile:
        cfg.ingest.deadLetterFile === undefined ? undefined : resolve(base, cfg.ingest.deadLetterFile),
      journal: { ...cfg.ingest.journal, dir: journalDir(base, cfg) },
    },
    influx,
    viewer: cfg.viewer === undefined ? undefined : { ...cfg.viewer, assetsDir },
  };
}

/** `ingest.journal.dir`, else `<alarms.stateDir>/ingest-journal`, else none (no journal). */
function journalDir(base: string, cfg: GatewayConfigFile): string | undefined {
  if (cfg.ingest.journal.dir !== undefined) return resolve(base, cfg.ingest.journal.dir);
  if (cfg.alarms.stateDir !== undefined) return join(resolve(base, cfg.alarms.stateDir), "ingest-journal");
  return undefined;
}

export async function loadGatewayConfigFile(
  file: string,
  env: Record<string, string | undefined>,
): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new CityTwinError("CONFIG_READ", `cannot read gateway config ${file}`, { cause });
  }
  return loadGatewayConfig(text, file, env);
}
