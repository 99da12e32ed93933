/**
 * Journal full: with InfluxDB unreachable the journal fills up to `maxBytes`; the next
 * telemetry publish is refused without PUBACK (Aedes drops the connection, the edge keeps the
 * batch) and counted. Everything PUBACKed before is in the journal.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import { freePort } from "../../test/support/free-port";
import { connectEdge, startTestGateway, type TestGateway } from "./harness";
import { journalBatch, publishQos1 } from "./journal-fixtures";

let gw: TestGateway;
let client: MqttClient;

beforeAll(async () => {
  const nothing = await freePort(); // nobody listens: every write fails and is retried
  gw = await startTestGateway({
    alarms: { stateDir: "state" },
    ingest: { journal: { maxBytes: 64 * 1024, segmentBytes: 16 * 1024 } },
    influx: { v1: { url: `http://127.0.0.1:${nothing}`, database: "x" }, flushIntervalMs: 100 },
  });
  client = await connectEdge(gw);
  client.on("error", () => undefined);
});

afterAll(async () => {
  client?.end(true);
  await gw?.stop();
});

describe("ingest journal full", () => {
  it("refuses the publish without PUBACK, drops the connection and counts it", async () => {
    const t0 = Date.now() - 3600_000;
    const closed = new Promise<"closed">((resolve) => client.once("close", () => resolve("closed")));
    let acked = 0;
    for (let seq = 1; seq <= 1000; seq++) {
      const r = await Promise.race([publishQos1(client, journalBatch(seq, t0)), closed]);
      if (r !== true) break;
      acked++;
    }
    expect(acked).toBeGreaterThan(20);
    expect(acked).toBeLessThan(1000);
    expect(await closed).toBe("closed");
    expect(await gw.metric("citytwin_journal_refused_total")).toBe(1);
    expect(await gw.metric("citytwin_journal_records")).toBe(acked);
    expect(await gw.metric("citytwin_influx_points_dropped_total", { sink: "influx-v1" })).toBe(0);
  });
});
