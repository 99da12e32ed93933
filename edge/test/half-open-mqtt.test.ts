/**
 * Half-open network cut between the publisher and the platform broker: a TCP proxy
 * (test/support/tcp-proxy.ts) in front of a real mosquitto switches to `blackhole` for longer
 * than the keepalive. The publisher (disk queue, as the agent runs it) must detect the dead
 * connection through the MQTT keepalive [MQTT 3.1.1 §3.1.2.10: no PINGRESP within the keep
 * alive → close], reconnect once the path heals, and deliver every batch produced during the
 * cut: every seq at a subscriber exactly once after the gateway's dedup (QoS 1 may redeliver a
 * batch whose PUBACK was lost in the cut), and an empty gap map. The publisher is never
 * restarted. Bounds (docs/edge-store-and-forward.md "Half-open connections"):
 *   detection ≤ 1.5 × keepalive after the last packet received (+ margin),
 *   recovery after the heal ≤ connectTimeout (10 s) + reconnectPeriod (2 s) (+ margin).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { telemetryBatchSchema, topics } from "@citytwin/model";
import { stopAll } from "../../test/support/child";
import { startMosquitto } from "../../test/support/mosquitto";
import { startTcpProxy, type TcpProxy } from "../../test/support/tcp-proxy";
import { sleep, untilWithin } from "../../test/support/wait";
import { edgeConfigSchema } from "../src/config";
import { DiskOutboundQueue, Publisher } from "../src/publish";

const TENANT = "hefei";
const GW = "gw-halfopen-01";
const DEV = "340111-SPL-00031-D01";
const KEEPALIVE_S = 5; // the schema's minimum
const CUT_MS = 12_000; // > 1.5 × keepalive
const dir = mkdtempSync(join(tmpdir(), "ct-edge-halfopen-mqtt-"));
let proxy: TcpProxy | undefined;
let publisher: Publisher | undefined;
let sub: MqttClient | undefined;
let feeder: NodeJS.Timeout | undefined;

afterAll(async () => {
  clearInterval(feeder);
  // Bounded: after a failure mid-cut the client may sit on a dead connection.
  await Promise.race([publisher?.stop(), sleep(15_000)]);
  await sub?.endAsync();
  await proxy?.close();
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const until = untilWithin(20_000);

describe("Publisher, half-open cut to the broker", () => {
  it("detects the dead connection by keepalive, reconnects after the heal and delivers the backlog", async () => {
    const broker = await startMosquitto(dir);
    proxy = await startTcpProxy(broker.port);
    const url = `mqtt://127.0.0.1:${proxy.port}`;
    // The agent's own config path: keepaliveS comes from the schema (mqtt.keepaliveS).
    const mqttConfig = edgeConfigSchema.shape.mqtt.parse({ url, keepaliveS: KEEPALIVE_S });

    sub = await connectAsync(broker.url, { clientId: "halfopen-sub", clean: true });
    const seen: { epoch: number; seq: number; values: number[] }[] = [];
    sub.on("message", (_topic, payload) => {
      const b = telemetryBatchSchema.parse(JSON.parse(payload.toString()));
      const values = Object.values(b.devices)
        .flat()
        .map((e) => Number(e.values.temp));
      seen.push({ epoch: b.epoch, seq: b.seq, values });
    });
    await sub.subscribeAsync(topics.telemetry(TENANT, GW), { qos: 1 });

    const logger = pino({ level: "silent" });
    publisher = new Publisher(
      {
        url,
        clientId: `ct-edge-${GW}`,
        keepaliveS: mqttConfig.keepaliveS,
        tenant: TENANT,
        gatewayId: GW,
        maxBatchReadings: 5,
        maxDelayMs: 100,
        replayBatchesPerSecond: 50,
        stateDir: join(dir, "state"),
        agentVersion: "test",
        configHash: "sha256:test",
      },
      () => ({}),
      logger,
      { now: () => Date.now() },
      new DiskOutboundQueue({ dir: join(dir, "state", "queue"), maxBytes: 4 << 20, fsyncIntervalMs: 100 }),
    );
    await publisher.start();
    await publisher.connected();
    let n = 0;
    const feed = () => {
      n++;
      publisher?.add([
        { deviceId: DEV, key: "temp", ts: Date.now(), clock: "edge", value: n, quality: "good" },
      ]);
    };
    feeder = setInterval(feed, 50);
    await until(() => (seen.length >= 5 ? true : undefined));
    const pub = publisher;

    proxy.set("blackhole");
    const cutAt = Date.now();
    const connectsBefore = pub.stats().connects;
    await until(() => (pub.stats().connected ? undefined : true), 15_000);
    const detectMs = Date.now() - cutAt;
    await sleep(cutAt + CUT_MS - Date.now());
    expect(pub.stats().connected).toBe(false);
    const queuedDuring = pub.stats().pending + pub.stats().inFlight;
    expect(queuedDuring).toBeGreaterThan(0);

    proxy.set("forward");
    const healAt = Date.now();
    await until(() => (pub.stats().connected ? true : undefined), 25_000);
    const reconnectMs = Date.now() - healAt;
    const lastDuringCut = pub.stats().lastSeq;
    await until(() => (seen.some((s) => s.seq >= lastDuringCut) ? true : undefined), 20_000);
    const recoveryMs = Date.now() - healAt;

    // Keeps flowing after the heal; then stop feeding and let everything drain.
    await sleep(1000);
    clearInterval(feeder);
    feeder = undefined;
    publisher.flush();
    await until(() => {
      const s = pub.stats();
      return s.pending === 0 && s.inFlight === 0 && s.bufferedReadings === 0 ? true : undefined;
    });
    const stats = pub.stats();
    await until(() => (seen.some((s) => s.seq === stats.lastSeq) ? true : undefined));
    await sleep(300); // stragglers (redeliveries) too

    const bySeq = new Map<number, number>();
    for (const s of seen) bySeq.set(s.seq, (bySeq.get(s.seq) ?? 0) + 1);
    const first = Math.min(...bySeq.keys());
    const duplicates = seen.length - bySeq.size;
    console.log(
      `mqtt half-open: keepalive ${KEEPALIVE_S} s, dead connection detected after ${detectMs} ms; ` +
        `reconnected ${reconnectMs} ms after the heal, backlog through seq ${lastDuringCut} delivered ` +
        `after ${recoveryMs} ms; ${stats.lastSeq} batches, ${queuedDuring} queued at the heal, ` +
        `${duplicates} QoS 1 redeliveries, connects ${stats.connects}`,
    );
    expect(new Set(seen.map((s) => s.epoch)).size).toBe(1);
    expect(first).toBe(1);
    for (let seq = 1; seq <= stats.lastSeq; seq++) expect(bySeq.has(seq), `seq ${seq}`).toBe(true);
    expect(bySeq.size).toBe(stats.lastSeq); // exactly once after dedup
    expect(duplicates).toBeLessThanOrEqual(16); // at most the in-flight window at the cut
    // Every reading exactly once after dedup by seq, in order.
    const values = [...new Map(seen.map((s) => [s.seq, s.values])).entries()]
      .sort((a, b) => a[0] - b[0])
      .flatMap(([, v]) => v);
    expect(values).toEqual(Array.from({ length: values.length }, (_, i) => i + 1));
    expect(values.length).toBe(n);
    expect(stats.gaps).toEqual([]);
    expect(stats.batchesEvicted).toBe(0);
    expect(stats.connects).toBeGreaterThan(connectsBefore);

    expect(detectMs).toBeLessThan(1.5 * KEEPALIVE_S * 1000 + 4000);
    expect(reconnectMs).toBeLessThan(10_000 + 2000 + 4000);
    expect(recoveryMs).toBeLessThan(10_000 + 2000 + 8000);
  }, 90_000);
});
