/**
 * `--spawn`: influxd (test/support/influxd.ts) and the gateway in demo mode in a child process
 * (the broker bench's gateway-host.ts: same start-up as gateway/src/main.ts), both in temp
 * dirs, loaded with the load city, the gateway with its ingest journal on; `stop()` ends both
 * and removes the dirs.
 */
import { benchGatewayConfig, parseGatewaySets } from "./gateway-set";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import type { CityModel } from "@citytwin/model";
import { createDatabase, startInfluxd } from "../../../test/support/influxd";
import { forkTsx, type Forked } from "../../bench/broker/ipc";
import { writeCityStream } from "./gateway-config";

const GATEWAY_HOST = join(import.meta.dirname, "../../bench/broker/gateway-host.ts");

export interface Spawned {
  mqttUrl: string;
  liveUrl: string;
  influxUrl: string;
  influxDb: string;
  gatewayPid: number;
  influxPid: number;
  host: Forked;
  /** Starts the gateway's V8 CPU profiler, or stops it and writes the `.cpuprofile` to `file`. */
  profile(action: "start" | "stop", file?: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * V8's default old-space limit (~4 GB here) is too small to parse and validate a 1M-sensor
 * city (≈ 500 MB of JSON, ≈ 6 GB at the peak of start-up): the gateway would spend its time in
 * GC. ~12 MB per 1,000 sensors, at least 4 GB (docs/load-testing.md, "Big cities").
 */
export const gatewayHeapMb = (sensors: number) => Math.max(4096, Math.ceil(sensors / 1000) * 12);

export async function spawnTarget(
  city: CityModel,
  influxDb: string,
  agents: number,
  gatewaySets: readonly string[] = [],
): Promise<Spawned> {
  const dir = mkdtempSync(join(tmpdir(), "citytwin-load-"));
  const influx = await startInfluxd();
  let host: Forked | undefined;
  try {
    await createDatabase(influx.url, influxDb);
    writeCityStream(city, join(dir, "city.json"));
    const config = benchGatewayConfig(
      city.tenant,
      {
        // Every agent connects from 127.0.0.1: the per-IP connect limit (made for many edge
        // gateways on many addresses) would refuse the generator's thousand agents.
        limits: { connectBurst: Math.max(500, agents * 2) },
        // As deployed: acknowledged telemetry is journalled, so a slow InfluxDB delays, never loses.
        ingest: { journal: { dir: "ingest-journal" } },
        influx: {
          v1: { url: influx.url, database: influxDb },
          batchSize: 5000,
          flushIntervalMs: 1000,
          maxRetries: 5,
        },
      },
      parseGatewaySets(gatewaySets),
    );
    writeFileSync(join(dir, "gateway.yaml"), stringify(config));
    host = forkTsx(GATEWAY_HOST, [join(dir, "gateway.yaml")], {
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      NODE_OPTIONS: `--max-old-space-size=${gatewayHeapMb(city.sensors.length)}`,
    });
    const ready = await host.call<{ mqttPort: number; httpPort: number }>("ready", undefined, 300_000);
    const h = host;
    // One line for whoever watches this run from outside (the bench suite samples the
    // gateway's /proc/<pid>/status for its RSS while the load runs).
    console.log(`spawned: gateway pid ${h.proc.pid ?? 0}, influxd pid ${influx.child.proc.pid ?? 0}`);
    return {
      mqttUrl: `mqtt://127.0.0.1:${ready.mqttPort}`,
      liveUrl: `ws://127.0.0.1:${ready.httpPort}/live`,
      influxUrl: influx.url,
      influxDb,
      gatewayPid: h.proc.pid ?? 0,
      influxPid: influx.child.proc.pid ?? 0,
      host: h,
      async profile(action, file) {
        if (action === "start") await h.call("profiling", { type: "profile-start" });
        else await h.call("profiled", { type: "profile-stop", file: resolve(file ?? "gateway.cpuprofile") });
      },
      async stop() {
        await h.call("never", { type: "stop" }, 20_000).catch(() => undefined);
        await h.stop();
        await influx.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await host?.stop();
    await influx.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
