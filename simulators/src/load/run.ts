/**
 * One load run: build the city, start or reach the target, fork the workers and hand each its
 * agents, drive them for `seconds`, collect 1 s ticks with a live progress line, drain, count
 * what was stored, and return the report (written by report/write.ts).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cpuPercent, sampleProc, type ProcSample } from "../../bench/edge-load/proc-sampler";
import { forkTsx, type Forked } from "../../bench/broker/ipc";
import { defaultAgents, type LoadOptions } from "./args";
import { buildLoadCity } from "./city";
import { BUSY_PCT, Collector } from "./collect";
import { loadFaults, type Faults } from "./faults";
import { openLive, type LiveProbe } from "./live";
import { machineInfo } from "./machine";
import { bar, fmt, Progress } from "./progress";
import { pickCounters } from "./report/gateway-counters";
import { summarize } from "./report/summary";
import type { GatewayCounters, LoadReport } from "./report/types";
import { spawnTarget, type Spawned } from "./spawn";
import { drainCount } from "./store";
import { parseTrace } from "./trace";
import type { Tick, WorkerSetup } from "./worker";

const WORKER = join(import.meta.dirname, "worker.ts");

export async function runLoad(o: LoadOptions, command: string): Promise<LoadReport> {
  const progress = new Progress();
  const warnings: string[] = [];
  const warn = (s: string) => {
    warnings.push(s);
    progress.log(`WARNING: ${s}`);
  };
  const t0 = performance.now();
  const sensorsWanted = o.city.sensors ?? 1000;
  const lc = buildLoadCity({ ...o.city, agents: o.city.agents ?? defaultAgents(sensorsWanted) });
  const { city, agents } = lc;
  const buildS = (performance.now() - t0) / 1000;
  const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
  const N = city.sensors.length;
  const rate = { ...o.rate, ...(o.intervalS === undefined ? {} : { rate: N / o.intervalS }) };
  progress.log(
    `city: ${fmt(N)} sensors, ${fmt(city.devices.length)} devices, ${fmt(city.assets.length)} assets in ${lc.districts} district(s), ${agents.length} agents (built in ${buildS.toFixed(1)} s, heap ${heapMiB.toFixed(0)} MiB)`,
  );
  if (o.replay !== undefined) {
    const known = new Set(city.sensors.map((s) => s.id));
    const unknown = parseTrace(readFileSync(o.replay, "utf8")).filter((r) => !known.has(r.sensor)).length;
    if (unknown > 0) warn(`${fmt(unknown)} trace readings name sensors not in this city: not replayed`);
  }
  const faults: Faults | undefined = o.scenario === undefined ? undefined : loadFaults(o.scenario, city);

  let spawned: Spawned | undefined;
  const workers: Forked[] = [];
  let live: LiveProbe | undefined;
  try {
    if (o.spawn) {
      progress.log("starting influxd and the gateway (demo mode) …");
      spawned = await spawnTarget(city, o.influxDb, agents.length, o.gatewaySets);
    }
    const url = spawned?.mqttUrl ?? o.target;
    if (url === undefined) throw new RangeError("give --spawn or --target mqtt://host:port");
    const secrets: Record<string, string> =
      o.credentials === undefined
        ? {}
        : (JSON.parse(readFileSync(o.credentials, "utf8")) as Record<string, string>);
    const influxUrl = spawned?.influxUrl ?? o.influxUrl;
    const liveUrl = spawned?.liveUrl ?? o.liveUrl;

    // Agent → its sensors (via the device's gateway).
    const gwOf = new Map(city.devices.map((d) => [d.id, d.gatewayId]));
    const sensorsOf = new Map<string, string[]>(agents.map((a) => [a, []]));
    for (const s of city.sensors) sensorsOf.get(gwOf.get(s.deviceId)!)!.push(s.id);
    const W = Math.min(o.workers, agents.length);
    progress.log(`connecting ${agents.length} agents from ${W} worker(s) to ${url} …`);
    for (let w = 0; w < W; w++) {
      const mine = agents.slice(
        Math.floor((w * agents.length) / W),
        Math.floor(((w + 1) * agents.length) / W),
      );
      const setup: WorkerSetup = {
        index: w,
        url,
        tenant: city.tenant,
        agents: mine.map((id) => ({
          id,
          sensors: sensorsOf.get(id)!,
          ...(secrets[id] ? { password: secrets[id] } : {}),
        })),
        totalSensors: N,
        seed: o.city.seed,
        rate,
        batch: o.batch,
        maxDelayMs: o.maxDelayMs,
        inflight: o.inflight,
        ...(faults
          ? { faults: { scenario: faults.scenario, offline: faults.offline, involved: faults.involved } }
          : {}),
        ...(o.replay ? { replay: { file: o.replay, speed: o.speed } } : {}),
      };
      const wk = forkTsx(WORKER);
      workers.push(wk);
      await wk.call("ready", { type: "setup", setup }, 300_000);
    }

    const profileFile = o.cpuProfDir === undefined ? undefined : join(o.cpuProfDir, "gateway.cpuprofile");
    if (spawned && profileFile !== undefined) {
      mkdirSync(o.cpuProfDir!, { recursive: true });
      await spawned.profile("start");
    }
    const startAt = Date.now() + 1000;
    const endAt = startAt + rate.seconds * 1000;
    if (liveUrl !== undefined) live = await openLive(liveUrl, o.token, startAt);
    const col = new Collector(startAt, W);
    const procs = spawned ? [spawned.gatewayPid, spawned.influxPid] : [];
    let procPrev: ProcSample[] = procs.map(sampleProc);
    const busy = new Set<number>();
    const onTick = (tick: Tick) => {
      const s = col.add(tick);
      if (s === undefined) return;
      const r = col.get(s)!;
      if (procs.length > 0) {
        const now = procs.map(sampleProc);
        col.setProc(s, cpuPercent(procPrev[0]!, now[0]!), cpuPercent(procPrev[1]!, now[1]!));
        procPrev = now;
      }
      r.workerCpu.forEach((c, w) => {
        if (Math.max(c, r.workerElu[w]!) > BUSY_PCT && !busy.has(w) && s < rate.seconds) {
          busy.add(w);
          warn(
            `!!! load worker ${w} is ${Math.max(c, r.workerElu[w]!).toFixed(0)} % busy (> ${BUSY_PCT} %): the generator may be the bottleneck, add --workers`,
          );
        }
      });
      if (s >= rate.seconds) return;
      const liveQ = live?.windows.seconds.get(s - 1)?.quantiles();
      progress.update(
        `${bar(s + 1, rate.seconds)} offered ${fmt(r.offered)}/s acked ${fmt(r.acked)}/s · total ${fmt(col.totals.offered)}/${fmt(col.totals.acked)} · ` +
          `PUBACK p99 ${r.puback.p99} ms${liveQ ? ` · live p99 ${liveQ.p99} ms` : ""} · gen CPU ${r.workerCpu.map((c) => `${c.toFixed(0)}%`).join(" ")}` +
          (col.totals.errors + col.totals.disconnects > 0
            ? ` · errors ${col.totals.errors} disconnects ${col.totals.disconnects}`
            : ""),
      );
    };
    for (const wk of workers)
      wk.proc.on("message", (m: { type?: string }) => m.type === "tick" && onTick(m as Tick));
    await Promise.all(
      workers.map((wk) => wk.call("done", { type: "go", startAt, endAt }, rate.seconds * 1000 + 120_000)),
    );
    progress.end();
    if (spawned && profileFile !== undefined) {
      await spawned.profile("stop", profileFile);
      progress.log(`gateway CPU profile of the load window: ${profileFile}`);
    }

    let stored: number | null = null;
    let drainS: number | null = null;
    if (influxUrl !== undefined) {
      progress.log("draining: waiting for storage to catch up …");
      if (spawned) await spawned.host.call("idle", { type: "idle" }, o.drainS * 1000).catch(() => undefined);
      const d = await drainCount(
        influxUrl,
        spawned?.influxDb ?? o.influxDb,
        startAt,
        endAt + 20_000,
        col.totals.acked,
        o.drainS,
      );
      stored = d.stored;
      drainS = d.drainS;
    }
    const gateway = spawned
      ? await spawned.host.call<{ dropped: number; journalLagS: number } & GatewayCounters>("stats", {
          type: "stats",
        })
      : undefined;
    await new Promise((r) => setTimeout(r, 500));
    live?.close();
    return summarize({
      command,
      options: o,
      rate,
      machine: machineInfo(),
      city: {
        sensors: N,
        devices: city.devices.length,
        assets: city.assets.length,
        districts: lc.districts,
        agents: agents.length,
        buildS,
        heapMiB,
      },
      incidents: faults?.labels ?? [],
      series: col.series(live?.windows),
      totals: col.totals,
      live: live?.windows.all,
      puback: col.puback.all,
      stored,
      drainS,
      ...(gateway
        ? {
            gateway: {
              dropped: gateway.dropped,
              journalLagS: gateway.journalLagS,
              counters: pickCounters(gateway),
            },
          }
        : {}),
      warnings,
      startedAt: new Date(startAt).toISOString(),
    });
  } finally {
    live?.close();
    for (const wk of workers) await wk.stop();
    await spawned?.stop();
  }
}
