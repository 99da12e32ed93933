/**
 * A load worker (forked with IPC): K/W agents (agent.ts), one timer pumping all of them every
 * 10 ms, and once a second a `tick` to the orchestrator with that second's counters, PUBACK
 * latency histogram and the worker's own CPU (process.cpuUsage) and event-loop utilisation.
 */
import { readFileSync } from "node:fs";
import { performance, type EventLoopUtilization } from "node:perf_hooks";
import { assetOfDevice, kindOfKey, type CityModel, type Sensor } from "@citytwin/model";
import { SignalEngine } from "../signals";
import { Agent, type AgentCounters } from "./agent";
import type { Faults } from "./faults";
import { Histogram, type Sparse } from "./histogram";
import { Batcher, type RateSpec } from "./pacing";
import { offlineCheck, replaySource, syntheticSource } from "./sources";
import { parseTrace } from "./trace";

export interface WorkerSetup {
  index: number;
  url: string;
  tenant: string;
  agents: { id: string; password?: string; sensors: string[] }[];
  totalSensors: number;
  seed: number;
  rate: RateSpec;
  batch: number;
  maxDelayMs: number;
  inflight: number;
  faults?: Pick<Faults, "scenario" | "offline" | "involved">;
  replay?: { file: string; speed: number };
}

export interface Tick {
  type: "tick";
  worker: number;
  second: number;
  offered: number;
  sent: number;
  acked: number;
  errors: number;
  suppressed: number;
  disconnects: number;
  puback: Sparse;
  cpuPct: number;
  eluPct: number;
}

export type WorkerRequest =
  { type: "setup"; setup: WorkerSetup } | { type: "go"; startAt: number; endAt: number };

const send = (m: unknown) => process.send?.(m);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let setup: WorkerSetup;
const agents: Agent[] = [];
const counters: AgentCounters = { sent: 0, acked: 0, errors: 0, suppressed: 0, disconnects: 0, puback: [] };

/** The engine's city: this worker's sensors plus those incidents act on (with their assets). */
function engineCity(s: WorkerSetup): CityModel {
  const sensors = new Map<string, Sensor>();
  for (const a of s.agents)
    for (const id of a.sensors) {
      const deviceId = id.slice(0, id.lastIndexOf("."));
      const key = id.slice(id.lastIndexOf(".") + 1);
      sensors.set(id, {
        id,
        deviceId,
        assetId: assetOfDevice(deviceId),
        key,
        kind: kindOfKey(key),
      } as Sensor);
    }
  for (const x of s.faults?.involved.sensors ?? []) sensors.set(x.id, x);
  return {
    seed: s.seed,
    sensors: [...sensors.values()],
    assets: s.faults?.involved.assets ?? [],
  } as CityModel;
}

async function prepare(s: WorkerSetup): Promise<void> {
  setup = s;
  for (let i = 0; i < s.agents.length; i += 50)
    await Promise.all(
      s.agents.slice(i, i + 50).map(async (a, j) => {
        const agent = new Agent({
          url: s.url,
          tenant: s.tenant,
          id: a.id,
          ...(a.password === undefined ? {} : { password: a.password }),
          inflight: s.inflight,
          batcher: new Batcher(Math.min(s.batch, a.sensors.length), s.maxDelayMs),
          source: { due: () => 0, take: () => [] },
          counters,
        });
        await agent.connect(`${a.id}-load-${s.index}-${i + j}`);
        agents.push(agent);
      }),
    );
}

function attachSources(startAt: number): void {
  const offline = offlineCheck(setup.faults?.offline ?? [], startAt);
  const byId = new Map(setup.agents.map((a) => [a.id, a]));
  if (setup.replay !== undefined) {
    const rows = parseTrace(readFileSync(setup.replay.file, "utf8"));
    const owner = new Map<string, string>();
    for (const a of setup.agents) for (const id of a.sensors) owner.set(id, a.id);
    const mine = new Map<string, typeof rows>();
    for (const r of rows) {
      const g = owner.get(r.sensor);
      if (g === undefined) continue;
      const list = mine.get(g);
      if (list === undefined) mine.set(g, [r]);
      else list.push(r);
    }
    for (const agent of agents)
      agent.source = replaySource(mine.get(agent.id) ?? [], rows[0]?.t ?? 0, setup.replay.speed, offline);
    return;
  }
  const engine = new SignalEngine({
    city: engineCity(setup),
    startMs: startAt,
    seed: setup.seed,
    ...(setup.faults ? { scenario: setup.faults.scenario } : {}),
  });
  for (const agent of agents) {
    const sensors = byId.get(agent.id)!.sensors;
    agent.source = syntheticSource(sensors, sensors.length / setup.totalSensors, setup.rate, engine, offline);
  }
}

async function go(startAt: number, endAt: number): Promise<void> {
  attachSources(startAt);
  await sleep(startAt - Date.now());
  let second = 0;
  let offeredBefore = 0;
  let cpu = process.cpuUsage();
  let elu: EventLoopUtilization = performance.eventLoopUtilization();
  let at = performance.now();
  const tick = () => {
    const elapsed = Date.now() - startAt;
    const offeredNow = agents.reduce(
      (s, a) => s + Math.floor(a.source.due(Math.min(elapsed, endAt - startAt))),
      0,
    );
    const c = process.cpuUsage(cpu);
    const e = performance.eventLoopUtilization(elu);
    const wall = (performance.now() - at) * 1000;
    const h = new Histogram();
    for (const ms of counters.puback) h.record(ms);
    const t: Tick = {
      type: "tick",
      worker: setup.index,
      second: second++,
      offered: offeredNow - offeredBefore,
      sent: counters.sent,
      acked: counters.acked,
      errors: counters.errors,
      suppressed: counters.suppressed,
      disconnects: counters.disconnects,
      puback: h.sparse(),
      // The last tick after the drain may cover a few ms only: too short to mean anything.
      cpuPct: wall >= 250_000 ? ((c.user + c.system) / wall) * 100 : 0,
      eluPct: wall >= 250_000 ? e.utilization * 100 : 0,
    };
    send(t);
    offeredBefore = offeredNow;
    Object.assign(counters, { sent: 0, acked: 0, errors: 0, suppressed: 0, disconnects: 0, puback: [] });
    cpu = process.cpuUsage();
    elu = performance.eventLoopUtilization();
    at = performance.now();
  };
  let nextTick = startAt + 1000;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = Date.now();
      for (const a of agents) a.pump(startAt, now, endAt);
      if (now >= nextTick) {
        tick();
        nextTick += 1000;
      }
      // After the end: wait for outstanding PUBACKs (at most 10 s), then one last tick.
      if (now >= endAt && (agents.every((a) => a.idle(startAt, endAt)) || now > endAt + 10_000)) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  tick();
  await Promise.all(agents.map((a) => a.close()));
  send({ type: "done" });
}

process.on("message", (raw) => {
  const req = raw as WorkerRequest;
  if (req.type === "setup")
    prepare(req.setup).then(
      () => send({ type: "ready" }),
      (err: unknown) => send({ type: "error", message: String(err) }),
    );
  else void go(req.startAt, req.endAt);
});
process.on("disconnect", () => {
  void Promise.all(agents.map((a) => a.close())).finally(() => process.exit(0));
});
