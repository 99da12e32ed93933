/**
 * Node-RED for the ingest bench, installed from npm at bench time (not a repo dependency)
 * into a cache directory that later runs reuse, and started headless with the generated
 * settings.js / flows.json (nodered-flow.ts) in a temporary user dir on a free loopback port.
 *
 * node-red@4: Node-RED 5 requires Node ≥ 22.9 and this repo runs on Node 20.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { CityModel } from "@citytwin/model";
import { startChild, type Child } from "../../../test/support/child";
import { freePorts } from "../../../test/support/free-port";
import {
  nodeRedCredentials,
  nodeRedFlow,
  nodeRedLookup,
  nodeRedSettings,
  type NodeRedFlowOptions,
} from "./nodered-flow";

export const NODE_RED_PACKAGES = ["node-red@4", "node-red-contrib-influxdb@0.7"];
export const DEFAULT_NODE_RED_DIR = join(homedir(), ".cache", "citytwin-bench", "node-red");

const pkgVersion = (dir: string, name: string): string | undefined => {
  const file = join(dir, "node_modules", name, "package.json");
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version
    : undefined;
};

/** Installs Node-RED and the InfluxDB nodes into `dir` unless present; returns "Node-RED x.y.z". */
export function ensureNodeRed(dir: string, log: (s: string) => void): string {
  if (
    pkgVersion(dir, "node-red") === undefined ||
    pkgVersion(dir, "node-red-contrib-influxdb") === undefined
  ) {
    mkdirSync(dir, { recursive: true });
    log(`node-red: installing ${NODE_RED_PACKAGES.join(" ")} into ${dir} (npm, once; reused later) …`);
    const args = ["install", "--prefix", dir, "--no-audit", "--no-fund", "--omit=dev", "--no-package-lock"];
    args.push("--fetch-retries", "1", "--fetch-timeout", "60000", ...NODE_RED_PACKAGES);
    const run = spawnSync("npm", args, { stdio: ["ignore", "inherit", "inherit"], timeout: 300_000 });
    if (run.status !== 0)
      throw new Error(
        `node-red: npm install failed (${run.error?.message ?? `exit ${run.status}`}): is the npm registry reachable? ` +
          `Pre-install with \`npm install --prefix ${dir} ${NODE_RED_PACKAGES.join(" ")}\`, ` +
          `point --nodered-dir at an installed copy, or leave the peer out: --peers raw,citytwin`,
      );
  } else log(`node-red: using ${dir}`);
  return `Node-RED ${pkgVersion(dir, "node-red")} + node-red-contrib-influxdb ${pkgVersion(dir, "node-red-contrib-influxdb")}`;
}

export interface NodeRed {
  child: Child;
  pid: number;
  stop(): Promise<void>;
}

/** Starts Node-RED from `installDir` with the bench flow; resolves once subscribed to the broker. */
export async function startNodeRed(
  installDir: string,
  userDir: string,
  city: CityModel,
  flow: NodeRedFlowOptions,
): Promise<NodeRed> {
  mkdirSync(userDir, { recursive: true });
  const [port] = await freePorts(1);
  const lookupFile = join(userDir, "citytwin-lookup.json");
  writeFileSync(lookupFile, JSON.stringify(nodeRedLookup(city)));
  writeFileSync(join(userDir, "settings.js"), nodeRedSettings(port!, lookupFile));
  writeFileSync(join(userDir, "flows.json"), JSON.stringify(nodeRedFlow(flow), null, 2));
  writeFileSync(join(userDir, "flows_cred.json"), JSON.stringify(nodeRedCredentials()));
  const red = join(installDir, "node_modules", "node-red", "red.js");
  const child = startChild("node-red", process.execPath, [
    red,
    "--userDir",
    userDir,
    "--settings",
    join(userDir, "settings.js"),
  ]);
  await child.waitFor(/Connected to broker/, 60_000);
  return { child, pid: child.proc.pid ?? 0, stop: () => child.stop() };
}
