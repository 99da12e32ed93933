/**
 * Nothing acknowledged is lost while InfluxDB is down: a real MQTT client publishes QoS 1
 * batches to the in-process gateway, influxd 1.6.7 is SIGKILLed for ~15 s while publishing
 * goes on (PUBACKs keep coming: the journal absorbs), then restarted on the same data
 * directory and port. Every reading must be in InfluxDB exactly once, none dropped, and the
 * writer must have caught up from the journal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import { createDatabase, startInfluxd, type Influxd } from "../../test/support/influxd";
import { connectEdge, eventually, startTestGateway, type TestGateway } from "./harness";
import { READINGS_PER_BATCH, countGas, journalBatch, publishQos1 } from "./journal-fixtures";

const DB = "citytwin";
const BATCHES = 300;
let influx: Influxd;
let gw: TestGateway;
let client: MqttClient;

beforeAll(async () => {
  influx = await startInfluxd();
  await createDatabase(influx.url, DB);
  gw = await startTestGateway({
    alarms: { stateDir: "state" },
    influx: {
      v1: { url: influx.url, database: DB },
      flushIntervalMs: 100,
      batchSize: 50,
      maxQueuedLines: 400,
    },
  });
  client = await connectEdge(gw);
});

afterAll(async () => {
  await client?.endAsync();
  await gw?.stop();
  await influx?.stop();
});

describe("ingest journal with InfluxDB down", () => {
  it("PUBACKs through a 15 s outage and writes every reading exactly once after it", async () => {
    const t0 = Date.now() - 3600_000;
    const acked: boolean[] = [];
    const publishRange = async (from: number, to: number, gapMs: number) => {
      for (let seq = from; seq <= to; seq++) {
        acked.push(await publishQos1(client, journalBatch(seq, t0)));
        await new Promise((r) => setTimeout(r, gapMs));
      }
    };
    await publishRange(1, 50, 5);
    await influx.kill();
    const downAt = Date.now();
    // 200 batches (1,600 lines) while it is down: beyond the writer's 400-line memory bound.
    await publishRange(51, 250, 40);
    const rest = Math.max(0, 15_000 - (Date.now() - downAt));
    await new Promise((r) => setTimeout(r, rest));
    expect(acked.every((a) => a)).toBe(true);
    expect(await gw.metric("citytwin_journal_records")).toBeGreaterThan(0);
    await influx.restart();
    await publishRange(251, BATCHES, 5);
    expect(acked.filter((a) => a).length).toBe(BATCHES);

    const expected = BATCHES * READINGS_PER_BATCH;
    await eventually(async () => ((await countGas(influx.url, DB)) >= expected ? true : undefined), 90_000);
    await gw.gateway.parts.pipeline.idle();
    for (const s of gw.gateway.parts.sinks) await s.flush();
    expect(await countGas(influx.url, DB)).toBe(expected);
    expect(await gw.metric("citytwin_influx_points_dropped_total", { sink: "influx-v1" })).toBe(0);
    expect(await gw.metric("citytwin_sink_catchup_total", { sink: "influx-v1" })).toBeGreaterThanOrEqual(1);
    expect(await gw.metric("citytwin_journal_replayed_records_total", { sink: "influx-v1" })).toBeGreaterThan(
      0,
    );
    expect(await gw.metric("citytwin_ingest_readings_total")).toBe(expected);
    // The cursor reaches the end and the journal lets go of what was written.
    await eventually(async () =>
      (await gw.metric("citytwin_journal_oldest_unwritten_seconds")) === 0 ? true : undefined,
    );
  });
});
