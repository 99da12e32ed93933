/**
 * Store-and-forward acceptance against real mosquitto brokers (docs/edge-store-and-forward.md):
 * the agent (child process) forwards a smart pole's JSON readings from a field broker to a
 * platform broker. Phase 1: the platform broker is down for OUTAGE_MS while readings keep
 * coming, the agent is `kill -9`ed once mid-outage and restarted; afterwards every seq arrives
 * (deduplicated as the gateway does) exactly once, the gateway gap map and the agent's gap map
 * are empty, no reading is duplicated, and the backlog replay was paced. Phase 2: a 16 KiB quota
 * during a second outage forces eviction; the agent's counters and evicted ranges match exactly
 * what the platform finds missing.
 * CT_DURABILITY_OUTAGE_MS sets the outage (default 4000; minutes for a soak run).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { telemetryBatchSchema, topics, type TelemetryBatch } from "@citytwin/model";
import { SequenceTracker } from "../../gateway/src/ingest/sequence";
import { startChild, startTsx, stopAll, type Child } from "../../test/support/child";
import { freePorts } from "../../test/support/free-port";

const ROOT = join(import.meta.dirname, "..", "..");
const MAIN = join(ROOT, "edge", "src", "main.ts");
const OUTAGE_MS = Number(process.env.CT_DURABILITY_OUTAGE_MS ?? 4000);
const RATE = 10;
const TENANT = "hefei";
const GW = "gw-durab-01";
const DEV = "340111-SPL-00012-D02";
const POLE = "poles/340111-SPL-00012/data";

let dir: string;
let fieldPort: number;
let platformPort: number;
let platform: Child | undefined;
let sub: MqttClient;
let feeder: MqttClient;
const arrivals: { b: TelemetryBatch; at: number }[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function config(queue: string): string {
  return `version: 1
gateway: { tenant: ${TENANT}, id: ${GW} }
mqtt: { url: "mqtt://127.0.0.1:${platformPort}", keepaliveS: 5 }
publish:
  maxBatchReadings: 30
  maxDelayMs: 100
  queue: { fsyncIntervalMs: 100, replayBatchesPerSecond: ${RATE}${queue} }
stateDir: state
profileDirs: ["${join(ROOT, "edge", "profiles")}"]
devices:
  - { id: ${DEV}, driver: mqtt-json, profile: ct-pole-env, broker: "mqtt://127.0.0.1:${fieldPort}", topic: ${POLE} }
`;
}

async function startPlatform(): Promise<void> {
  platform = startChild("mosquitto-platform", "/usr/sbin/mosquitto", [
    "-c",
    join(dir, "platform.conf"),
    "-v",
  ]);
  await platform.waitFor(/running|Opening ipv4 listen socket/, 10_000);
}

async function startAgent(): Promise<Child> {
  const agent = startTsx("edge-agent", MAIN, ["--config", join(dir, "edge.yaml")], { cwd: ROOT });
  await agent.waitFor(/field broker connected/, 30_000);
  await sleep(300); // subscription in place
  return agent;
}

/** SIGTERM (drains, publishes offline/shutdown); returns the publisher stats it logged. */
async function stopAgent(agent: Child): Promise<Record<string, unknown>> {
  await agent.stop("SIGTERM", 15_000);
  const line = await agent.waitFor(/"msg":"stopped"/, 1000);
  return (JSON.parse(line) as { stats: Record<string, unknown> }).stats;
}

/** Feeds one pole message every 20 ms; `sent` maps reading index → send time. */
function feed(sent: Map<number, number>, from: number): () => number {
  let i = from;
  const t = setInterval(() => {
    i++;
    sent.set(i, Date.now());
    const msg = { ts: 1_763_700_000_000 + i, env: { pm25: i, noiseLAeq: 50, temperature: 20 } };
    void feeder.publishAsync(POLE, JSON.stringify(msg), { qos: 1 });
  }, 20);
  return () => {
    clearInterval(t);
    return i;
  };
}

/**
 * Waits until no batch has arrived for `quietMs` (the backlog is drained). The paced replay
 * of an outage's backlog takes about as long as the outage (batches at ≤ 10/s, replayed at
 * RATE/s), so the bound grows with it.
 */
async function quiet(quietMs = 1500, maxMs = 60_000 + 2 * OUTAGE_MS): Promise<void> {
  const end = Date.now() + maxMs;
  while ((arrivals.at(-1)?.at ?? 0) > Date.now() - quietMs) {
    if (Date.now() > end) throw new Error("batches still arriving");
    await sleep(100);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ct-edge-durab-"));
  [fieldPort, platformPort] = (await freePorts(2)) as [number, number];
  writeFileSync(join(dir, "field.conf"), `listener ${fieldPort} 127.0.0.1\nallow_anonymous true\n`);
  writeFileSync(
    join(dir, "platform.conf"),
    `listener ${platformPort} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${dir}/\nmax_queued_messages 0\nmax_inflight_messages 0\n`,
  );
  const field = startChild("mosquitto-field", "/usr/sbin/mosquitto", ["-c", join(dir, "field.conf")]);
  await field.waitFor(/running|Opening ipv4 listen socket/, 10_000).catch(() => sleep(500));
  await startPlatform();
  feeder = await connectAsync(`mqtt://127.0.0.1:${fieldPort}`, { clientId: "durab-feeder", clean: true });
  // Persistent session: the platform broker keeps our subscription and queue across its restart.
  sub = await connectAsync(`mqtt://127.0.0.1:${platformPort}`, {
    clientId: "durab-sub",
    clean: false,
    reconnectPeriod: 100,
  });
  sub.on("message", (topic, payload) => {
    if (topic === topics.telemetry(TENANT, GW)) {
      arrivals.push({ b: telemetryBatchSchema.parse(JSON.parse(payload.toString())), at: Date.now() });
    }
  });
  await sub.subscribeAsync(topics.telemetry(TENANT, GW), { qos: 1 });
});

afterAll(async () => {
  await sub?.endAsync(true);
  await feeder?.endAsync(true);
  await stopAll();
});

/** Feeds batches to the gateway's tracker; returns distinct batches and the duplicate count. */
function ingest(tracker: SequenceTracker, list: { b: TelemetryBatch; at: number }[]) {
  const fresh: { b: TelemetryBatch; at: number }[] = [];
  for (const a of list) if (tracker.observe(a.b.epoch, a.b.seq) === "new") fresh.push(a);
  return { fresh, duplicates: list.length - fresh.length };
}

const pm25 = (b: TelemetryBatch) => (b.devices[DEV] ?? []).map((e) => e.values.pm25 as number);

describe("durable store-and-forward against mosquitto", () => {
  it(
    "survives an outage with kill -9 (exactly once, no gaps), then evicts by the documented policy",
    { timeout: 120_000 + 4 * OUTAGE_MS },
    async () => {
      writeFileSync(join(dir, "edge.yaml"), config(""));
      let agent = await startAgent();
      await agent.waitFor(/"msg":"ready"/, 30_000);
      const sent = new Map<number, number>();
      let stopFeed = feed(sent, 0);
      await sleep(1000);
      const firstOk = Date.now() - 500;

      // Outage; kill -9 half-way, restart while the platform broker is still down.
      await platform?.stop("SIGTERM");
      await sleep(OUTAGE_MS / 2);
      const killAt = Date.now();
      await agent.stop("SIGKILL");
      agent = await startAgent();
      const backAt = Date.now();
      await sleep(OUTAGE_MS / 2);
      await startPlatform();
      const reconnect = JSON.parse(await agent.waitFor(/platform broker connected/, 30_000)) as {
        replayThrough: number;
      };
      await sleep(1500);
      const lastFed = stopFeed();
      await sleep(500);
      await quiet();
      const stats = await stopAgent(agent);
      expect(stats).toMatchObject({ pending: 0, inFlight: 0, gaps: [] });
      expect(stats.queue).toMatchObject({ evictedBatches: 0, lostBatches: 0, tornRecords: 0 });
      await sleep(500);

      const tracker = new SequenceTracker();
      const { fresh } = ingest(tracker, arrivals);
      const seqs = fresh.map((a) => a.b.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // every seq exactly once, from 1
      expect(new Set(fresh.map((a) => a.b.epoch)).size).toBe(1);
      expect(tracker.gaps()).toEqual([]);
      // Readings: none twice; all that reached a live agent (away from the kill) present.
      const got = fresh.flatMap((a) => pm25(a.b));
      expect(new Set(got).size).toBe(got.length);
      const have = new Set(got);
      const expected = [...sent].filter(([, t]) => (t > firstOk && t < killAt - 500) || t > backAt + 200);
      expect(expected.length).toBeGreaterThan(50);
      expect(expected.filter(([i]) => !have.has(i) && i <= lastFed)).toEqual([]);
      // Paced replay: the backlog took at least (backlog - burst) / rate seconds, and live
      // batches went out while it was still running.
      const backlog = fresh.filter((a) => a.b.seq <= reconnect.replayThrough);
      const replay = backlog.filter((a) => a.at > killAt);
      const span = Math.max(...replay.map((a) => a.at)) - Math.min(...replay.map((a) => a.at));
      expect(replay.length).toBeGreaterThan(2 * RATE);
      expect(span).toBeGreaterThanOrEqual(((replay.length - RATE - 1) / RATE) * 1000 * 0.8);
      const lastBacklogAt = Math.max(...replay.map((a) => a.at));
      expect(fresh.some((a) => a.b.seq > reconnect.replayThrough && a.at < lastBacklogAt)).toBe(true);

      // Phase 2: 16 KiB quota, 4 KiB segments, second outage.
      const before = arrivals.length;
      writeFileSync(join(dir, "edge.yaml"), config(", maxBytes: 16384, segmentBytes: 4096"));
      await platform?.stop("SIGTERM");
      agent = await startAgent();
      stopFeed = feed(sent, lastFed);
      await sleep(Math.max(4000, OUTAGE_MS / 2));
      stopFeed();
      await sleep(300);
      await startPlatform();
      await agent.waitFor(/platform broker connected/, 30_000);
      await sleep(500);
      await quiet();
      const s2 = await stopAgent(agent);
      await sleep(500);
      const q = s2.queue as { evictedBatches: number; evictedReadings: number; evictedBytes: number };
      const gaps = s2.gaps as { epoch: number; from: number; to: number; reason: string }[];
      expect(q.evictedBatches).toBeGreaterThan(0);
      expect(q.evictedBytes).toBeGreaterThan(0);
      expect(gaps.every((g) => g.reason === "evicted")).toBe(true);
      expect(gaps.reduce((n, g) => n + g.to - g.from + 1, 0)).toBe(q.evictedBatches);
      // What the platform finds missing is exactly what the edge reports as evicted.
      ingest(tracker, arrivals.slice(before));
      expect(tracker.gaps()).toEqual(gaps.map(({ epoch, from, to }) => ({ epoch, from, to })));
      const evictedSeqs = new Set(
        gaps.flatMap((g) => Array.from({ length: g.to - g.from + 1 }, (_, k) => g.from + k)),
      );
      const delivered = arrivals.slice(before).map((a) => a.b.seq);
      expect(delivered.filter((s) => evictedSeqs.has(s))).toEqual([]);
      expect(Math.min(...evictedSeqs)).toBeGreaterThan(seqs.length); // only phase-2 batches
    },
  );
});
