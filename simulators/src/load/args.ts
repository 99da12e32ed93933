/** `npm run load -- …` options → LoadOptions (validated); usage text. */
import { parseArgs } from "node:util";
import { parseRamp, type RateSpec } from "./pacing";
import type { LoadCityOptions } from "./city";

export const USAGE = `Usage: npm run load -- [options]            (docs/load-testing.md)
       npm run load -- gateway-config --agents K [city options] --out gw.yaml

City (the demo's asset model, tiled into districts; deterministic by --seed):
  --sensors N            total sensors (1000 … 1000000)
  --districts D          or whole districts, optionally with
  --poles P --lifeline L   smart poles / lifeline assets per district
  --smart-poles basic|full  devices per smart pole (default basic, as the demo)
  --seed S               default 42
Load:
  --rate R               readings/s for the whole city, or
  --interval-s I         one reading per sensor every I s (default 10), or
  --ramp from:to:stepS   readings/s stepping from → to, one step every stepS s
  --seconds T            run length (default 60)
  --batch B              readings per message (default 2000, the edge batcher's)
  --max-delay-ms M       flush a partial batch after M ms (default 500, as the edge)
  --agents K             edge-agent MQTT connections (default sensors/1000, 1 … 1000)
  --inflight N           unacknowledged QoS 1 publishes per agent (default 4)
  --workers W            forked load processes (default 1)
Target:
  --spawn                start a local gateway (demo mode) + influxd, stop them at the end
  --cpu-prof dir         with --spawn: the gateway's V8 CPU profile of the load window → dir/gateway.cpuprofile
  --gateway-set k.p=v    with --spawn: set one key of the spawned gateway's config (repeatable),
                         e.g. ingest.decodeThreads=0
  --target mqtt://h:p    an existing gateway; --credentials agents.secrets.json in secure mode
  --live-url ws://h:p/live  /live subscriber for sensor → WebSocket latency; --token T (viewer)
  --influx-url URL       count stored readings at the end; --influx-db (default citytwin)
Faults and traces:
  --scenario file.yaml   incidents/faults (simulators' scenario format + device_offline)
  --replay trace         CSV (timestamp,sensor_id,value[,quality]) or influx_inspect export
  --speed X              replay time scale (default 1)
Report:
  --out dir              default bench-results/load-<timestamp>/
  --drain-s S            wait at most S s for storage to catch up (default 30)
`;

export interface LoadOptions {
  city: Omit<LoadCityOptions, "agents"> & { agents?: number };
  rate: RateSpec;
  /** Set when the rate came from --interval-s. */
  intervalS?: number;
  batch: number;
  maxDelayMs: number;
  inflight: number;
  workers: number;
  spawn: boolean;
  /** With spawn: `--gateway-set path=value` settings for the spawned gateway's config. */
  gatewaySets?: string[];
  /** With spawn: the gateway runs with --cpu-prof into this directory. */
  cpuProfDir?: string;
  target?: string;
  credentials?: string;
  liveUrl?: string;
  token?: string;
  influxUrl?: string;
  influxDb: string;
  scenario?: string;
  replay?: string;
  speed: number;
  out?: string;
  drainS: number;
}

const str = { type: "string" } as const;
const OPTIONS = {
  sensors: str,
  districts: str,
  poles: str,
  lifeline: str,
  "smart-poles": str,
  "district-scale": str,
  seed: str,
  rate: str,
  "interval-s": str,
  ramp: str,
  seconds: str,
  batch: str,
  "max-delay-ms": str,
  agents: str,
  inflight: str,
  workers: str,
  spawn: { type: "boolean" },
  "cpu-prof": str,
  "gateway-set": { type: "string", multiple: true },
  target: str,
  credentials: str,
  "live-url": str,
  token: str,
  "influx-url": str,
  "influx-db": str,
  scenario: str,
  replay: str,
  speed: str,
  out: str,
  "drain-s": str,
  help: { type: "boolean" },
} as const;

export function parseLoadArgs(argv: string[]): { help: boolean; command?: string; options: LoadOptions } {
  const { values: v, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const num = (k: keyof typeof v, dflt?: number, min = 0): number | undefined => {
    const raw = v[k];
    if (raw === undefined) return dflt;
    const x = Number(raw);
    if (!Number.isFinite(x) || x < min) throw new RangeError(`--${k} must be a number ≥ ${min}, got ${raw}`);
    return x;
  };
  const seconds = num("seconds", 60, 1)!;
  if (v.sensors === undefined && v.districts === undefined && !v.help) v.sensors = "1000";
  const sensors = num("sensors", undefined, 1);
  const smart = v["smart-poles"] ?? "basic";
  if (smart !== "basic" && smart !== "full") throw new RangeError(`--smart-poles basic|full, got ${smart}`);
  const given = [v.rate, v["interval-s"], v.ramp].filter((x) => x !== undefined).length;
  if (given > 1) throw new RangeError("give one of --rate, --interval-s, --ramp");
  const intervalS = v.rate === undefined && v.ramp === undefined ? num("interval-s", 10, 0.001) : undefined;
  const rate: RateSpec = {
    rate: num("rate", 0, 0)!,
    seconds,
    ...(v.ramp === undefined ? {} : { ramp: parseRamp(v.ramp) }),
  };
  if (v.spawn && v.target !== undefined) throw new RangeError("give --spawn or --target, not both");
  if (v["cpu-prof"] !== undefined && !v.spawn)
    throw new RangeError("--cpu-prof profiles a spawned gateway: add --spawn");
  if (v["gateway-set"] !== undefined && !v.spawn)
    throw new RangeError("--gateway-set configures a spawned gateway: add --spawn");
  const opt = <K extends keyof typeof v>(k: K) => (v[k] === undefined ? {} : { [k]: v[k] });
  const options: LoadOptions = {
    city: {
      seed: num("seed", 42)!,
      smartPoles: smart,
      ...(sensors === undefined ? {} : { sensors: Math.round(sensors) }),
      ...(v.districts === undefined ? {} : { districts: num("districts", 1, 1)! }),
      ...(v.poles === undefined ? {} : { poles: num("poles")! }),
      ...(v.lifeline === undefined ? {} : { lifeline: num("lifeline")! }),
      ...(v["district-scale"] === undefined ? {} : { districtScale: num("district-scale", 1, 0.01)! }),
      ...(v.agents === undefined ? {} : { agents: num("agents", 1, 1)! }),
    },
    rate,
    ...(intervalS === undefined ? {} : { intervalS }),
    batch: num("batch", 2000, 1)!,
    maxDelayMs: num("max-delay-ms", 500)!,
    inflight: num("inflight", 4, 1)!,
    workers: num("workers", 1, 1)!,
    spawn: v.spawn === true,
    ...(v["cpu-prof"] === undefined ? {} : { cpuProfDir: v["cpu-prof"] }),
    ...(v["gateway-set"] === undefined ? {} : { gatewaySets: v["gateway-set"] }),
    ...opt("target"),
    ...opt("credentials"),
    ...(v["live-url"] === undefined ? {} : { liveUrl: v["live-url"] }),
    ...opt("token"),
    ...(v["influx-url"] === undefined ? {} : { influxUrl: v["influx-url"] }),
    influxDb: v["influx-db"] ?? "citytwin",
    ...opt("scenario"),
    ...opt("replay"),
    speed: num("speed", 1, 0.000001)!,
    ...opt("out"),
    drainS: num("drain-s", 30)!,
  };
  return {
    help: v.help === true,
    ...(positionals[0] === undefined ? {} : { command: positionals[0] }),
    options,
  };
}

/** Default agents: one per 1,000 sensors, 1 … 1000, never more than assets. */
export const defaultAgents = (sensors: number) => Math.min(1000, Math.max(1, Math.ceil(sensors / 1000)));
