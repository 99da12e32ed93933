/**
 * Launches the whole platform on one machine with embedded defaults: protocol simulators
 * (Modbus TCP, OPC UA, MQTT poles), one edge agent per gateway, and the gateway (Aedes broker,
 * ingest, hot store, optional InfluxDB, live push, HTTP API serving the twin viewer).
 * Used by `npm start` and by the end-to-end tests, so both exercise the same path.
 *
 * Each gateway gets a fresh random secret per launch; the gateway config holds only its scrypt
 * hash and the edge agent receives the secret through its environment (CT_MQTT_PASSWORD).
 * Likewise three operator tokens (admin, operator, viewer roles) are generated per launch and
 * written to `<runtimeDir>/operator-tokens.json` (mode 0600), never to a log. Alarm and
 * detector state lives in `<runtimeDir>/state` and so survives a restart of the gateway.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { hashSecret } from "@citytwin/gateway";
import { CityTwinError } from "@citytwin/model";
import { spawnTsx, type ManagedProcess } from "./processes";

const REPO = resolve(fileURLToPath(import.meta.url), "../../../..");

export interface InfluxTarget {
  v1?: { url: string; database: string };
  v2?: { url: string; org: string; bucket: string; token: string };
}

export interface PlatformOptions {
  runtimeDir: string;
  seed: number;
  scale: number;
  scenario?: string;
  host: string;
  mqttPort: number;
  httpPort: number;
  modbusPort: number;
  opcuaPort: number;
  fieldBrokerPort: number;
  influx?: InfluxTarget;
  /** Children log their `ready` line at info, so the launcher needs info or more verbose. */
  logLevel: "info" | "debug" | "trace";
  /** Receives every log line of every child, prefixed by its name. */
  onLine?: (name: string, line: string) => void;
  onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
  /** Aborting stops every child started so far and rejects the launch. */
  signal?: AbortSignal;
  /** Lets a test adjust the generated edge configs before the agents start. */
  beforeEdgeStart?: (edgeConfigFiles: string[]) => void;
  /** The gateway config's `viewer:` section (base map, bring-your-own-city layers, assetsDir). */
  viewer?: Record<string, unknown>;
}

export interface OperatorTokens {
  admin: string;
  operator: string;
  viewer: string;
}

export interface Platform {
  url: string;
  /**
   * The twin viewer with the viewer-role token in the URL fragment (`#token=…`): the viewer moves
   * it to session storage; a fragment never reaches the server or its logs.
   */
  viewerUrl: string;
  /** Bearer tokens for the HTTP API and `/live?token=`, one per role. */
  operatorTokens: OperatorTokens;
  tokenFile: string;
  mqttUrl: string;
  cityFile: string;
  edgeConfigs: string[];
  processes: ManagedProcess[];
  /**
   * Stops the gateway (gracefully, or with `signal`, e.g. SIGKILL for a crash), waits `downMs`
   * (default 0) and starts it again with the same config and state.
   */
  restartGateway(opts?: RestartOptions): Promise<void>;
  /** The same for one edge agent (same config, state dir and credentials). */
  restartEdge(gatewayId: string, opts?: RestartOptions): Promise<void>;
  stop(): Promise<void>;
}

export interface RestartOptions {
  signal?: NodeJS.Signals;
  downMs?: number;
}

export async function launchPlatform(opts: PlatformOptions): Promise<Platform> {
  const runtimeDir = resolve(opts.runtimeDir);
  mkdirSync(runtimeDir, { recursive: true });
  const started: ManagedProcess[] = [];
  const env = { LOG_LEVEL: opts.logLevel };
  const common = { onLine: opts.onLine, onUnexpectedExit: opts.onUnexpectedExit, cwd: REPO };
  const stop = async () => {
    for (const p of [...started].reverse()) await p.stop();
  };
  const track = (p: ManagedProcess) => {
    started.push(p);
    if (opts.signal?.aborted === true) throw new CityTwinError("ABORTED", "platform start aborted");
  };

  try {
    if (opts.influx?.v1 !== undefined)
      await createInfluxV1Database(opts.influx.v1.url, opts.influx.v1.database);
    const mqttUrl = `mqtt://${opts.host}:${opts.mqttPort}`;
    const sim = await spawnTsx({
      ...common,
      name: "simulators",
      entry: join(REPO, "simulators/src/main.ts"),
      args: [
        ...[
          "--seed",
          String(opts.seed),
          "--scale",
          String(opts.scale),
          "--out",
          runtimeDir,
          "--host",
          opts.host,
        ],
        ...["--modbus-port", String(opts.modbusPort), "--opcua-port", String(opts.opcuaPort)],
        ...["--field-broker-port", String(opts.fieldBrokerPort), "--mqtt-url", mqttUrl],
        ...(opts.scenario !== undefined ? ["--scenario", resolve(opts.scenario)] : []),
      ],
      env,
      readyTimeoutMs: 120_000,
    });
    track(sim);

    const cityFile = join(runtimeDir, "city.json");
    const edgeConfigs = readdirSync(runtimeDir)
      .filter((f) => /^edge-.+\.yaml$/.test(f))
      .sort()
      .map((f) => join(runtimeDir, f));
    const secrets = new Map(edgeConfigs.map((f) => [gatewayIdOf(f), randomBytes(24).toString("base64url")]));

    const operatorTokens = newOperatorTokens();
    const tokenFile = join(runtimeDir, "operator-tokens.json");
    writeFileSync(tokenFile, `${JSON.stringify(operatorTokens, null, 2)}\n`, { mode: 0o600 });
    const gatewayConfig = join(runtimeDir, "gateway.yaml");
    const config = await gatewayConfigFor(opts, cityFile, secrets, operatorTokens, join(runtimeDir, "state"));
    writeFileSync(gatewayConfig, stringify(config), { mode: 0o600 });
    const startGateway = () =>
      spawnTsx({
        ...common,
        name: "gateway",
        entry: join(REPO, "gateway/src/main.ts"),
        args: ["--config", gatewayConfig],
        env: { ...env, ...influxSecretsEnv(opts.influx) },
      });
    let gateway = await startGateway();
    track(gateway);
    const restartGateway = async (o: RestartOptions = {}) => {
      const at = started.indexOf(gateway);
      await gateway.stop(undefined, o.signal);
      if ((o.downMs ?? 0) > 0) await new Promise((r) => setTimeout(r, o.downMs));
      gateway = await startGateway();
      started[at] = gateway;
    };

    opts.beforeEdgeStart?.(edgeConfigs);
    const startEdge = (file: string) => {
      const gw = gatewayIdOf(file);
      return spawnTsx({
        ...common,
        name: `edge:${gw}`,
        entry: join(REPO, "edge/src/main.ts"),
        args: ["--config", file],
        env: { ...env, CT_MQTT_PASSWORD: secrets.get(gw) ?? "" },
      });
    };
    for (const file of edgeConfigs) track(await startEdge(file));
    const restartEdge = async (gatewayId: string, o: RestartOptions = {}) => {
      const at = started.findIndex((p) => p.name === `edge:${gatewayId}`);
      const file = edgeConfigs.find((f) => gatewayIdOf(f) === gatewayId);
      if (at < 0 || file === undefined) throw new CityTwinError("NOT_FOUND", `no edge agent ${gatewayId}`);
      await started[at]!.stop(undefined, o.signal);
      if ((o.downMs ?? 0) > 0) await new Promise((r) => setTimeout(r, o.downMs));
      started[at] = await startEdge(file);
    };
    const url =
      typeof gateway.ready.url === "string" ? gateway.ready.url : `http://${opts.host}:${opts.httpPort}/`;
    return {
      url,
      viewerUrl: `${url}#token=${encodeURIComponent(operatorTokens.viewer)}`,
      mqttUrl,
      cityFile,
      edgeConfigs,
      operatorTokens,
      tokenFile,
      processes: started,
      restartGateway,
      restartEdge,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function gatewayIdOf(edgeConfigFile: string): string {
  return /edge-(.+)\.yaml$/.exec(edgeConfigFile)?.[1] ?? "unknown";
}

/** Tokens are `<name>.<secret>`; the gateway config gets the secrets' scrypt hashes. */
function newOperatorTokens(): OperatorTokens {
  const token = (name: string) => `${name}.${randomBytes(24).toString("base64url")}`;
  return { admin: token("duty-admin"), operator: token("duty-operator"), viewer: token("ops-wall") };
}

async function gatewayConfigFor(
  opts: PlatformOptions,
  cityFile: string,
  secrets: Map<string, string>,
  tokens: OperatorTokens,
  stateDir: string,
) {
  const gateways = [];
  for (const [id, secret] of secrets) gateways.push({ id, secretHash: await hashSecret(secret) });
  const operators = [];
  for (const role of ["admin", "operator", "viewer"] as const) {
    const [name, secret] = tokens[role].split(".") as [string, string];
    operators.push({ name, role, tokenHash: await hashSecret(secret) });
  }
  const influx: Record<string, unknown> = {};
  if (opts.influx?.v1 !== undefined)
    influx.v1 = { url: opts.influx.v1.url, database: opts.influx.v1.database };
  if (opts.influx?.v2 !== undefined) {
    const { url, org, bucket } = opts.influx.v2;
    influx.v2 = { url, org, bucket, tokenEnv: "CT_INFLUX_TOKEN" };
  }
  return {
    version: 1,
    tenant: "hefei",
    mode: "secure",
    mqtt: { host: opts.host, port: opts.mqttPort },
    http: { host: opts.host, port: opts.httpPort, staticDir: join(REPO, "twin-viewer/dist") },
    city: cityFile,
    gateways,
    operators,
    alarms: { stateDir },
    ...(Object.keys(influx).length > 0 ? { influx } : {}),
    ...(opts.viewer === undefined ? {} : { viewer: opts.viewer }),
  };
}

function influxSecretsEnv(influx: InfluxTarget | undefined): Record<string, string> {
  return influx?.v2 !== undefined ? { CT_INFLUX_TOKEN: influx.v2.token } : {};
}

/** The demo creates its InfluxDB 1.x database (idempotent); production provisions it. */
async function createInfluxV1Database(url: string, database: string): Promise<void> {
  const body = new URLSearchParams({ q: `CREATE DATABASE "${database.replace(/"/g, '\\"')}"` });
  const res = await fetch(new URL("/query", url), { method: "POST", body }).catch((err: unknown) => {
    throw new CityTwinError("INFLUX_UNREACHABLE", `InfluxDB at ${url} is not reachable`, { cause: err });
  });
  if (!res.ok) {
    throw new CityTwinError("INFLUX_CREATE_DB", `InfluxDB at ${url} refused CREATE DATABASE: ${res.status}`);
  }
}
