/**
 * A real InfluxDB 1.x (`/usr/bin/influxd`, Debian's 1.6.7) for integration tests: a
 * generated config in a temp dir (meta/data/wal), HTTP on 127.0.0.1:<free port>, the RPC
 * bind address on another free loopback port, reporting and self-monitoring off, quiet logs.
 * `startInfluxd()` resolves once `/ping` answers 204; `stop()` kills it and removes the dir.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChild, type Child } from "./child";
import { freePorts } from "./free-port";

export interface Influxd {
  /** Base URL, e.g. http://127.0.0.1:34567 */
  url: string;
  dir: string;
  child: Child;
  /** SIGKILL (no shutdown); the data directory and port stay. */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and port (after `kill`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const INFLUXD_BIN = "/usr/bin/influxd";

export async function startInfluxd(opts: { timeoutMs?: number } = {}): Promise<Influxd> {
  const dir = await mkdtemp(join(tmpdir(), "citytwin-influxd-"));
  const [httpPort, rpcPort] = await freePorts(2);
  const toml = `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, "meta")}"
  logging-enabled = false

[data]
  dir = "${join(dir, "data")}"
  wal-dir = "${join(dir, "wal")}"
  query-log-enabled = false
  index-version = "inmem"

[monitor]
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  pprof-enabled = false

[logging]
  level = "warn"
  suppress-logo = true

[continuous_queries]
  enabled = false

[subscriber]
  enabled = false
`;
  const configFile = join(dir, "influxd.toml");
  await writeFile(configFile, toml);
  const url = `http://127.0.0.1:${httpPort}`;
  const server: Influxd = {
    url,
    dir,
    child: startChild("influxd", INFLUXD_BIN, ["-config", configFile]),
    kill: () => server.child.stop("SIGKILL"),
    async restart() {
      server.child = startChild("influxd", INFLUXD_BIN, ["-config", configFile]);
      await waitFor(`${url}/ping`, 204, opts.timeoutMs ?? 30_000, server.child);
    },
    async stop() {
      await server.child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(`${url}/ping`, 204, opts.timeoutMs ?? 30_000, server.child);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}

async function waitFor(url: string, status: number, timeoutMs: number, child: Child): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null)
      throw new Error(`${child.name} exited (${child.proc.exitCode}):\n${child.output().slice(-2000)}`);
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.status === status) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(
        `${url} did not answer ${status} within ${timeoutMs} ms:\n${child.output().slice(-2000)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface InfluxQueryResponse {
  results: { statement_id?: number; error?: string; series?: InfluxSeries[] }[];
  error?: string;
}

/**
 * Runs InfluxQL (POST /query) and returns InfluxDB's response body; times come back as epoch
 * integers in `epoch` units (default ms). Throws on an HTTP or statement error.
 */
export async function query(
  url: string,
  db: string,
  influxql: string,
  epoch: "ns" | "us" | "ms" | "s" = "ms",
): Promise<InfluxQueryResponse> {
  const u = new URL("/query", url);
  u.searchParams.set("db", db);
  u.searchParams.set("epoch", epoch);
  u.searchParams.set("q", influxql);
  const res = await fetch(u, { method: "POST" });
  const body = (await res.json()) as Partial<InfluxQueryResponse>;
  if (!res.ok || body.error !== undefined)
    throw new Error(`influxql failed (${res.status}): ${body.error ?? ""}`);
  const failed = body.results?.find((r) => r.error !== undefined);
  if (failed !== undefined) throw new Error(`influxql error: ${failed.error ?? ""}`);
  return { results: body.results ?? [] };
}

/** The series of the first statement (empty when nothing matched). */
export async function querySeries(url: string, db: string, influxql: string): Promise<InfluxSeries[]> {
  return (await query(url, db, influxql)).results[0]?.series ?? [];
}

/** Rows of a series as objects keyed by column. */
export function rows(series: InfluxSeries): Record<string, unknown>[] {
  return series.values.map((v) => Object.fromEntries(series.columns.map((c, i) => [c, v[i]])));
}

export async function createDatabase(url: string, db: string): Promise<void> {
  await query(url, db, `CREATE DATABASE "${db.replace(/"/g, '\\"')}"`);
}
