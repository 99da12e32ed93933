/**
 * Runs the CityTwin gateway for the broker bench in a child process (forked with IPC):
 * the same start-up as gateway/src/main.ts (config file → Gateway, prom default metrics, pino
 * at LOG_LEVEL, default warn) plus two bench-only hooks that change no gateway code:
 *  - ingest probe: wraps the live hub's `onReadings` (called once per accepted telemetry batch
 *    after decode, schema, dedup and per-reading validation, before the sinks) and records
 *    receive time − newest reading ts (= the batch's `sentAt`);
 *  - CPU profile (`npm run load -- --cpu-prof`): the V8 profiler over the inspector protocol,
 *    started and stopped on request so the profile covers the load window, not start-up;
 *  - platform publisher (fan-out): publishes commands in-process through the broker's Aedes
 *    instance, as CommandClient does via Broker.publish, but with the completion callback so
 *    the in-flight window can be bounded (Broker.publish has none).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import type { Aedes } from "aedes";
import { pino } from "pino";
import { Gateway, loadGatewayConfigFile } from "@citytwin/gateway";
import { topics } from "@citytwin/model";
import { GATEWAY_COUNTERS } from "../../src/load/report/gateway-counters";
import { command, gatewayId, TENANT } from "./payload";
import { WindowRecorder, type Window } from "./stats";

export type HostRequest =
  | { type: "window"; window: Window }
  | { type: "stats" }
  | { type: "idle" }
  | { type: "fanout"; window: Window; endAt: number; subscribers: number; qos: 0 | 1; inflight: number }
  | { type: "profile-start" }
  | { type: "profile-stop"; file: string }
  | { type: "stop" };

const send = (m: unknown) => process.send?.(m);
const config = await loadGatewayConfigFile(process.argv[2] ?? "", process.env);
const logger = pino({ level: process.env.LOG_LEVEL ?? "warn", base: { svc: "gateway" } });
const gateway = new Gateway({ config, logger, defaultMetrics: true });
const addr = await gateway.start();

const ingest = new WindowRecorder();
const live = gateway.parts.live;
const onReadings = live.onReadings.bind(live);
live.onReadings = (readings) => {
  const now = Date.now();
  let newest = 0;
  for (const r of readings) if (r.ts > newest) newest = r.ts;
  ingest.record(now, now - newest);
  onReadings(readings);
};

/** The `stats` answer's counters, by field: the benches' own plus the load report's. */
const STATS_METRICS: readonly (readonly [string, string])[] = [
  ["batches", "citytwin_ingest_batches_total"],
  ["dropped", "citytwin_influx_points_dropped_total"],
  ["journalLagS", "citytwin_journal_oldest_unwritten_seconds"],
  ...GATEWAY_COUNTERS.map(([key, , name]) => [key, name] as const),
];

async function metric(name: string): Promise<number> {
  const m = await gateway.metrics.registry.getSingleMetric(name)?.get();
  return (m?.values ?? []).reduce((s, v) => s + v.value, 0);
}

/** Waits until ingest is idle and no batch arrived for 300 ms (socket buffers drained too). */
async function settle(): Promise<void> {
  for (;;) {
    await gateway.parts.pipeline.idle();
    const before = await metric("citytwin_ingest_batches_total");
    await new Promise((r) => setTimeout(r, 300));
    if (
      gateway.parts.pipeline.queue.depth === 0 &&
      (await metric("citytwin_ingest_batches_total")) === before
    )
      return;
  }
}

/** Round-robin commands to `…/gw-bNNN/cmd/write`, at most `inflight` unfinished at a time. */
function fanout(req: Extract<HostRequest, { type: "fanout" }>): Promise<{ published: number }> {
  const aedes = (gateway.parts.broker as unknown as { aedes: Aedes }).aedes;
  const targets = Array.from({ length: req.subscribers }, (_, i) =>
    topics.cmd(TENANT, gatewayId(i), "write"),
  );
  let n = 0;
  let inflight = 0;
  let published = 0;
  return new Promise((resolve) => {
    const pump = () => {
      while (inflight < req.inflight && Date.now() < req.endAt) {
        const g = n % targets.length;
        const payload = Buffer.from(JSON.stringify(command(g, n++, Date.now())));
        inflight++;
        aedes.publish(
          { cmd: "publish", topic: targets[g]!, payload, qos: req.qos, retain: false, dup: false },
          () => {
            inflight--;
            const now = Date.now();
            if (now >= req.window.from && now < req.window.to) published++;
            setImmediate(pump);
          },
        );
      }
      if (inflight === 0 && Date.now() >= req.endAt) resolve({ published });
    };
    pump();
  });
}

let profiler: Session | undefined;
async function profile(req: Extract<HostRequest, { type: "profile-start" | "profile-stop" }>): Promise<void> {
  if (req.type === "profile-start") {
    profiler = new Session();
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.start");
    send({ type: "profiling" });
    return;
  }
  if (profiler === undefined) throw new Error("profile-stop without profile-start");
  const { profile } = await profiler.post("Profiler.stop");
  profiler.disconnect();
  profiler = undefined;
  writeFileSync(req.file, JSON.stringify(profile));
  send({ type: "profiled", file: req.file });
}

process.on("message", (raw) => {
  const req = raw as HostRequest;
  if (req.type === "window") {
    ingest.window = req.window;
    send({ type: "ok" });
  } else if (req.type === "stats") {
    const read = async ([key, name]: readonly [string, string]) => [key, await metric(name)] as const;
    void Promise.all(STATS_METRICS.map(read)).then((values) =>
      send({ type: "stats", ingest: ingest.stats(), ...Object.fromEntries(values) }),
    );
  } else if (req.type === "idle") {
    void settle().then(() => send({ type: "idle" }));
  } else if (req.type === "profile-start" || req.type === "profile-stop") {
    profile(req).catch((err: Error) => send({ type: "error", message: err.message }));
  } else if (req.type === "fanout") {
    void fanout(req).then((r) => send({ type: "fanout", ...r }));
  } else {
    void gateway.stop().then(() => process.exit(0));
  }
});
send({ type: "ready", ...addr });
