/**
 * One measured run: a broker (CityTwin gateway or mosquitto) × pattern (fan-in, fan-out) × QoS.
 * Fresh load workers per run; the window starts after `warmup` s and lasts `seconds` s.
 */
import { join } from "node:path";
import { cpuSeconds, forkTsx, type Forked } from "./ipc";
import type { LoadSetup } from "./load";
import { gatewayId } from "./payload";
import type { Percentiles, Window, WindowStats } from "./stats";

export type BrokerName = "citytwin" | "mosquitto";
export interface BrokerUnderTest {
  name: BrokerName;
  url: string;
  pid: number;
  /** The gateway host (CityTwin only): ingest probe and in-process platform publisher. */
  host?: Forked;
  stop(): Promise<void>;
}
export interface RunOptions {
  pattern: "fan-in" | "fan-out";
  qos: 0 | 1;
  clients: number;
  inflightPerPublisher: number;
  inflightFanout: number;
  devices: number;
  entries: number;
  warmup: number;
  seconds: number;
}
export interface RunResult {
  broker: BrokerName;
  pattern: "fan-in" | "fan-out";
  qos: 0 | 1;
  /** Messages the consumer side got per second (subscribers, or the gateway's ingest). */
  deliveredPerS: number;
  /** Publishes completed per second (QoS 1: PUBACKed; QoS 0: written; in-process: callback). */
  publishedPerS: number;
  /** Receive time − send time stamped in the payload, ms (1 ms resolution). */
  endToEndMs: Percentiles;
  /** Publisher PUBACK round trip, ms (QoS 1 with an MQTT publisher only). */
  pubackMs?: Percentiles;
  brokerCpuPct: number;
  loadCpuPct: number;
  /** Gateway ingest counters at the end of the run (fresh gateway per run). */
  gatewayCounters?: { batches: number; rejected: number; shed: number; held: number };
}

const LOAD = join(import.meta.dirname, "load.ts");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function worker(setup: LoadSetup): Promise<Forked> {
  const w = forkTsx(LOAD);
  await w.call("ready", { type: "setup", setup });
  return w;
}

export async function runScenario(b: BrokerUnderTest, o: RunOptions): Promise<RunResult> {
  const base = { url: b.url, qos: o.qos, clients: o.clients, devices: o.devices, entries: o.entries };
  const workers: Forked[] = [];
  let sub: Forked | undefined;
  let pub: Forked | undefined;
  if (o.pattern === "fan-in") {
    if (b.name === "mosquitto")
      sub = await worker({
        ...base,
        role: "sub",
        inflight: 0,
        filters: [["bench-platform", "ct/v1/bench/+/telemetry"]],
      });
    pub = await worker({ ...base, role: "fanin-pub", inflight: o.inflightPerPublisher });
  } else {
    const filters = Array.from({ length: o.clients }, (_, i): [string, string] => [
      gatewayId(i),
      `ct/v1/bench/${gatewayId(i)}/cmd/+`,
    ]);
    sub = await worker({ ...base, role: "sub", inflight: 0, filters });
    if (b.name === "mosquitto")
      pub = await worker({ ...base, role: "fanout-pub", inflight: o.inflightFanout });
  }
  if (sub) workers.push(sub);
  if (pub) workers.push(pub);

  // The ingest backlog of the previous run must not be counted in this one.
  if (b.host) await b.host.call("idle", { type: "idle" });
  const start = Date.now() + 200;
  const window: Window = { from: start + o.warmup * 1000, to: start + (o.warmup + o.seconds) * 1000 };
  const endAt = window.to;
  if (b.host) await b.host.call("ok", { type: "window", window });
  const pubDone = pub?.call<{ stats: WindowStats }>("done", { type: "go", window, endAt });
  const subDone = sub?.call<{ stats: WindowStats }>("done", { type: "go", window, endAt });
  const inProc =
    b.host && o.pattern === "fan-out"
      ? b.host.call<{ published: number }>("fanout", {
          type: "fanout",
          window,
          endAt,
          subscribers: o.clients,
          qos: o.qos,
          inflight: o.inflightFanout,
        })
      : undefined;

  await sleep(window.from - Date.now());
  const pids = workers.map((w) => w.proc.pid ?? 0);
  const cpu0 = [cpuSeconds(b.pid), ...pids.map(cpuSeconds)];
  await sleep(window.to - Date.now());
  const cpu1 = [cpuSeconds(b.pid), ...pids.map(cpuSeconds)];
  const pct = (i: number) => ((cpu1[i]! - cpu0[i]!) / o.seconds) * 100;
  const loadCpuPct = pids.reduce((s, _, i) => s + pct(i + 1), 0);

  const [p, s, ip] = await Promise.all([pubDone, subDone, inProc]);
  for (const w of workers) await w.stop();
  let gatewayCounters: RunResult["gatewayCounters"];
  let consumer = s?.stats;
  if (b.host && o.pattern === "fan-in") {
    await sleep(500);
    const st = await b.host.call<{ ingest: WindowStats } & NonNullable<RunResult["gatewayCounters"]>>(
      "stats",
      { type: "stats" },
    );
    consumer = st.ingest;
    gatewayCounters = { batches: st.batches, rejected: st.rejected, shed: st.shed, held: st.held };
  }
  const none: Percentiles = { p50: 0, p99: 0, p999: 0, max: 0, samples: 0 };
  return {
    broker: b.name,
    pattern: o.pattern,
    qos: o.qos,
    deliveredPerS: (consumer?.count ?? 0) / o.seconds,
    publishedPerS: (p?.stats.count ?? ip?.published ?? 0) / o.seconds,
    endToEndMs: consumer?.latencyMs ?? none,
    pubackMs: o.qos === 1 && p ? p.stats.latencyMs : undefined,
    brokerCpuPct: pct(0),
    loadCpuPct,
    gatewayCounters,
  };
}
