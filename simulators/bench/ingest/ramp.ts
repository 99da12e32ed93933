/**
 * What every MQTT peer of the ingest bench shares: the paced load workers (load.ts), one
 * step of offered load with CPU/RSS sampling, the InfluxDB count, and the common options.
 */
import { join } from "node:path";
import { querySeries } from "../../../test/support/influxd";
import { cpuPercent, sampleProc, type ProcSample } from "../edge-load/proc-sampler";
import { forkTsx, type Forked } from "../broker/ipc";
import type { IngestLoadResult, IngestLoadSetup } from "./load";

export interface RampOptions {
  seconds: number;
  gateways: number;
  devices: number;
  workers: number;
  inflight: number;
  p99BoundMs: number;
  drainS: number;
  keepGoing: boolean;
}

export const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const fmt = (x: number) => Math.round(x).toLocaleString("en");
/** A step holds only if at least this share of the offered readings was accepted. */
export const MIN_ACCEPTED_SHARE = 0.95;

/** `SELECT count(value) FROM gas` in `db`, optionally within [from, to] ms. */
export async function count(url: string, db: string, from?: number, to?: number): Promise<number> {
  const where = from === undefined ? "" : ` WHERE time >= ${from}ms AND time <= ${to}ms`;
  const s = await querySeries(url, db, `SELECT count(value) FROM "gas"${where}`);
  return Number(s[0]?.values[0]?.[1] ?? 0);
}

/** Seconds to wait before recounting a step that came out short (late points, not lost). */
export const RECOUNT_S = 5;

/**
 * When `counted` < `acked`: waits RECOUNT_S s and counts again, so points that reached
 * InfluxDB only after the drain are told apart from lost ones. Returns the final count.
 */
export async function recountIfShort(
  url: string,
  db: string,
  run: { acked: number; from: number; to: number },
  counted: number,
): Promise<number> {
  if (counted >= run.acked) return counted;
  await sleep(RECOUNT_S * 1000);
  const again = await count(url, db, run.from, run.to);
  if (again !== counted)
    log(`  recount after ${RECOUNT_S} s: ${fmt(again)} (${fmt(again - counted)} arrived late)`);
  return again;
}

/** Forks `o.workers` load workers, the gateways split evenly, all connected to `url`. */
export async function startLoad(url: string, o: RampOptions): Promise<Forked[]> {
  const out: Forked[] = [];
  const perWorker = Math.ceil(o.gateways / o.workers);
  for (let w = 0; w < o.workers; w++) {
    const gws = Array.from({ length: o.gateways }, (_, i) => i).filter(
      (i) => Math.floor(i / perWorker) === w,
    );
    if (gws.length === 0) continue;
    const wk = forkTsx(join(import.meta.dirname, "load.ts"));
    out.push(wk);
    const setup: IngestLoadSetup = { url, gateways: gws, devices: o.devices, inflight: o.inflight };
    await wk.call("ready", { type: "setup", setup });
  }
  return out;
}

export interface StepRun {
  start: number;
  endAt: number;
  /** Readings PUBACKed by the broker. */
  acked: number;
  /** First and last reading ts sent (ms). */
  from: number;
  to: number;
  /** CPU % (of one core) per pid, in the order given, over the step. */
  cpu: number[];
  /** Peak RSS of the first pid. */
  rssBytes: number;
}

/**
 * One step at `rate` readings/s for `o.seconds` s (starting 300 ms from now; `beforeStart`
 * runs first with the window). Resolves when every worker's publishes are settled.
 */
export async function runStep(
  workers: Forked[],
  rate: number,
  o: RampOptions,
  pids: number[],
  beforeStart?: (start: number, endAt: number) => Promise<void>,
): Promise<StepRun> {
  const start = Date.now() + 300;
  const endAt = start + o.seconds * 1000;
  await beforeStart?.(start, endAt);
  const dones = workers.map((w) =>
    w.call<{ result: IngestLoadResult }>(
      "done",
      { type: "go", readingsPerS: rate / workers.length, startAt: start, endAt },
      120_000,
    ),
  );
  await sleep(start - Date.now());
  const all = [...pids, ...workers.map((w) => w.proc.pid ?? 0)];
  const p0: ProcSample[] = all.map(sampleProc);
  let rss = 0;
  const rssTimer = setInterval(() => (rss = Math.max(rss, sampleProc(pids[0]!).rssBytes)), 500);
  const results = (await Promise.all(dones)).map((d) => d.result);
  clearInterval(rssTimer);
  const p1 = all.map(sampleProc);
  const cpu = p0.map((p, i) => cpuPercent(p, p1[i]!));
  return {
    start,
    endAt,
    acked: results.reduce((s, r) => s + r.acked, 0),
    from: Math.min(...results.map((r) => r.firstTs)),
    to: Math.max(...results.map((r) => r.lastTs)),
    cpu: [...cpu.slice(0, pids.length), cpu.slice(pids.length).reduce((s, x) => s + x, 0)],
    rssBytes: Math.max(rss, p1[0]!.rssBytes),
  };
}

/** Why a step broke its bounds ("" when it held). */
export function brokenBounds(
  loss: number,
  p99Ms: number | undefined,
  acceptedPerS: number,
  rate: number,
  o: RampOptions,
): string {
  const why: string[] = [];
  if (loss > 0) why.push(`${fmt(loss)} readings lost`);
  if (p99Ms === undefined || p99Ms > o.p99BoundMs)
    why.push(p99Ms === undefined ? "no latency samples" : `p99 ${fmt(p99Ms)} ms`);
  if (acceptedPerS < rate * MIN_ACCEPTED_SHARE)
    why.push(`accepted ${((acceptedPerS / rate) * 100).toFixed(0)} % of offered`);
  return why.join(", ");
}

/** The highest accepted rate among steps that held. */
export function bestStep<S extends { held_ok: boolean; acceptedPerS: number }>(steps: S[]): S | undefined {
  return steps
    .filter((s) => s.held_ok)
    .reduce<S | undefined>((b, s) => (b === undefined || s.acceptedPerS > b.acceptedPerS ? s : b), undefined);
}
