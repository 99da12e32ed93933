/**
 * kill -9 of the gateway loses nothing it PUBACKed: the gateway runs as a child process
 * (gateway/src/main.ts) with its ingest journal and a real influxd 1.6.7. A QoS 1 client
 * publishes batches with consecutive seq; the gateway is SIGKILLed mid-stream and restarted
 * on the same state dir and ports. The client reconnects and resends what was not PUBACKed,
 * plus its last 10 PUBACKed batches (an edge that lost its ack bookkeeping): every reading
 * must be in InfluxDB exactly once and the resent batches recognised as duplicates by seq.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../gateway/src/config/secret";
import { GW, tinyCity } from "../gateway/test/fixtures";
import { READINGS_PER_BATCH, countGas, journalBatch, publishQos1 } from "../gateway/test/journal-fixtures";
import { startTsx, stopAll, type Child } from "./support/child";
import { freePorts } from "./support/free-port";
import { createDatabase, startInfluxd, type Influxd } from "./support/influxd";
import { sleep, untilWithin } from "./support/wait";

const DB = "citytwin";
const SECRET = "crash-secret-0123456789";
/** The Prometheus scraper's token `metrics.<secret>` (http.metricsTokenHash): /metrics needs it. */
const METRICS_SECRET = "scrape-secret-0123456789";
const BATCHES = 400;
const until = untilWithin(60_000);
let influx: Influxd;
let dir: string;
let config: string;
let ports: { mqtt: number; http: number };

beforeAll(async () => {
  influx = await startInfluxd();
  await createDatabase(influx.url, DB);
  dir = await mkdtemp(join(tmpdir(), "citytwin-crash-"));
  await writeFile(join(dir, "city.json"), JSON.stringify(tinyCity()));
  const [mqttPort, httpPort] = (await freePorts(2)) as [number, number];
  ports = { mqtt: mqttPort, http: httpPort };
  config = join(dir, "gateway.yaml");
  const doc = {
    version: 1,
    tenant: "hefei",
    mqtt: { host: "127.0.0.1", port: mqttPort },
    http: {
      host: "127.0.0.1",
      port: httpPort,
      metricsTokenHash: await hashSecret(METRICS_SECRET, { N: 1024 }),
    },
    city: "city.json",
    gateways: [{ id: GW, secretHash: await hashSecret(SECRET, { N: 1024 }) }],
    alarms: { stateDir: "state" },
    influx: { v1: { url: influx.url, database: DB }, flushIntervalMs: 200 },
  };
  await writeFile(config, stringify(doc));
});

afterAll(async () => {
  await stopAll();
  await influx?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function startGateway(): Promise<Child> {
  const child = startTsx("gateway", "gateway/src/main.ts", ["--config", config], {
    env: { ...process.env, LOG_LEVEL: "info" },
  });
  await child.waitFor(/"msg":"ready"/, 60_000);
  return child;
}

function connect(): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, {
    clientId: "edge-gw-01",
    username: GW,
    password: SECRET,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
}

async function metric(name: string, label = ""): Promise<number> {
  const text = await (
    await fetch(`http://127.0.0.1:${ports.http}/metrics`, {
      headers: { authorization: `Bearer metrics.${METRICS_SECRET}` },
    })
  ).text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith(`${name}${label} `) || l.startsWith(`${name}${label}{`));
  return Number(line?.split(" ").at(-1) ?? 0); // a labelled counter never incremented is absent
}

describe("gateway kill -9 with the ingest journal", () => {
  it("keeps every PUBACKed reading and recognises redeliveries by seq after a restart", async () => {
    const t0 = Date.now() - 3600_000;
    let gateway = await startGateway();
    const first = await connect();
    first.on("error", () => undefined);
    const acked = new Set<number>();
    // Up to 20 publishes in flight, like an edge with an in-flight window.
    const inFlight = new Set<Promise<void>>();
    let killed = false;
    for (let seq = 1; seq <= BATCHES && !killed; seq++) {
      const p: Promise<void> = publishQos1(first, journalBatch(seq, t0)).then((ok) => {
        if (ok) acked.add(seq);
        inFlight.delete(p);
      });
      inFlight.add(p);
      if (inFlight.size >= 20) await Promise.race(inFlight);
      if (seq === 150) {
        await gateway.stop("SIGKILL");
        killed = true;
      }
    }
    // mqtt.js fails the in-flight publishes when the client is ended; what got its PUBACK is in `acked`.
    await sleep(500);
    first.end(true);
    await Promise.race([Promise.allSettled([...inFlight]), sleep(5000)]);
    expect(acked.size).toBeGreaterThan(100);

    gateway = await startGateway();
    const second = await connect();
    const lastAcked = [...acked].sort((a, b) => a - b).slice(-10);
    const resend = [];
    for (let seq = 1; seq <= BATCHES; seq++) if (!acked.has(seq) || lastAcked.includes(seq)) resend.push(seq);
    for (const seq of resend) expect(await publishQos1(second, journalBatch(seq, t0))).toBe(true);
    await second.endAsync();

    const expected = BATCHES * READINGS_PER_BATCH;
    await until(async () => ((await countGas(influx.url, DB)) >= expected ? true : undefined), 90_000);
    await sleep(500);
    expect(await countGas(influx.url, DB)).toBe(expected);
    expect(await metric("citytwin_ingest_rejected_total", '{reason="DUPLICATE"}')).toBeGreaterThanOrEqual(10);
    expect(await metric("citytwin_influx_points_dropped_total", '{sink="influx-v1"}')).toBe(0);
    expect(gateway.output()).toMatch(/ingest journal open/);
    await gateway.stop();
  }, 240_000);
});
