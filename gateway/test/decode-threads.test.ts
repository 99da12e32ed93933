/**
 * Decode threads (`ingest.decodeThreads`, ingest/decode-pool.ts): a thread gives the same
 * verdicts and readings as decoding on the event loop; the pipeline keeps arrival order
 * through them; a thread that dies loses nothing (its messages are decoded on the event loop)
 * and is replaced.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { decodeTelemetry } from "../src/ingest/decode";
import { decodeThreadCount } from "../src/ingest/decode-pool";
import type { IngestItem } from "../src/ingest/queue";
import type { AcceptedReading } from "../src/ingest/validate";
import { NOW, limits, newPool, payloadArb, registry } from "./decode-fixtures";
import { GAS_DEV, GW, GW2, batch } from "./fixtures";
import { connectEdge, eventually, startTestGateway } from "./harness";

const item = (gatewayId: string, payload: Buffer): IngestItem => ({
  kind: "telemetry",
  gatewayId,
  clientId: `edge-${gatewayId}`,
  topic: `ct/v1/hefei/${gatewayId}/telemetry`,
  payload,
});

describe("decode threads", () => {
  it("give the same verdict and readings as decoding on the event loop", async () => {
    const pool = newPool();
    await pool.start();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.constantFrom(GW, GW2), payloadArb), { minLength: 1, maxLength: 30 }),
          async (messages) => {
            const items = messages.map(([gw, text]) => item(gw, Buffer.from(text)));
            const run = await pool.decode(items, NOW);
            const fromThread: AcceptedReading[] = [];
            const inline: AcceptedReading[] = [];
            items.forEach((it, i) => {
              const verdict = decodeTelemetry(it.payload, it.gatewayId, registry, limits, NOW, inline);
              run.readings(i, fromThread);
              expect(run.verdicts[i]).toEqual(verdict);
              expect(fromThread).toEqual(inline);
            });
          },
        ),
        { numRuns: 150 },
      );
      // The generator reaches both outcomes and accepted readings (else the property is hollow).
      const sample = fc.sample(payloadArb, { numRuns: 300, seed: 7 }).map((t) => item(GW, Buffer.from(t)));
      const run = await pool.decode(sample, NOW);
      expect(run.verdicts.some((v) => !v.ok)).toBe(true);
      expect(run.verdicts.some((v) => v.ok && v.rejected.size > 0)).toBe(true);
      const out: AcceptedReading[] = [];
      const accepted = sample.reduce((n, _, i) => (run.readings(i, out), n + out.length), 0);
      expect(accepted).toBeGreaterThan(50);
    } finally {
      await pool.stop();
    }
  });

  it("a thread that dies fails its requests and is replaced", async () => {
    const pool = newPool(50);
    await pool.start();
    try {
      const payload = Buffer.from(
        JSON.stringify(batch(1, { [GAS_DEV]: [{ ts: NOW, clock: "edge", values: { ch4: 1 } }] })),
      );
      const pending = pool.decode([item(GW, payload)], NOW);
      await pool.workers[0]?.terminate();
      await expect(pending).rejects.toThrow(/decode thread/);
      await eventually(() => (pool.ready ? true : undefined), 10_000);
      const run = await pool.decode([item(GW, payload)], NOW);
      expect(run.verdicts[0]?.ok).toBe(true);
    } finally {
      await pool.stop();
    }
  });

  it('"auto" is one thread with two or more cores, none with one', () => {
    expect(decodeThreadCount("auto", 1)).toBe(0);
    expect(decodeThreadCount("auto", 2)).toBe(1);
    expect(decodeThreadCount("auto", 16)).toBe(1);
    expect(decodeThreadCount(3, 2)).toBe(3);
  });
});

describe.each([0, 1, 2])("a gateway with decodeThreads: %i", (threads) => {
  const gateways: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const g of gateways) await g.stop();
  });

  it("processes messages in arrival order and loses none when a thread dies", async () => {
    const gw = await startTestGateway({
      ingest: { decodeThreads: threads },
      hotStore: { pointsPerSensor: 1000 },
    });
    gateways.push(gw);
    expect(gw.gateway.parts.decodePool?.size ?? 0).toBe(threads);
    const edge = await connectEdge(gw);
    const topic = `ct/v1/hefei/${GW}/telemetry`;
    const n = 600;
    const t0 = Date.now() - 60_000;
    const sends: Promise<unknown>[] = [];
    for (let seq = 1; seq <= n; seq++) {
      const b = batch(seq, {
        [GAS_DEV]: [{ ts: t0 + seq, clock: "edge", values: { ch4: seq, gas_pressure: 1 } }],
      });
      sends.push(edge.publishAsync(topic, JSON.stringify(b), { qos: 1 }));
      // Kill the thread mid-stream: whatever it held is decoded on the event loop instead.
      if (seq === n / 2) void gw.gateway.parts.decodePool?.workers[0]?.terminate();
    }
    // A resend of the last batch is a duplicate only if it is judged after the original.
    const last = batch(n, {
      [GAS_DEV]: [{ ts: t0 + n, clock: "edge", values: { ch4: n, gas_pressure: 1 } }],
    });
    sends.push(edge.publishAsync(topic, JSON.stringify(last), { qos: 1 }));
    await Promise.all(sends);
    await eventually(async () =>
      (await gw.metric("citytwin_ingest_batches_total")) === n ? true : undefined,
    );
    await gw.gateway.parts.pipeline.idle();
    expect(await gw.metric("citytwin_ingest_readings_total")).toBe(2 * n);
    expect(await gw.metric("citytwin_ingest_rejected_total", { reason: "DUPLICATE" })).toBe(1);
    // In arrival order: seq 1..n with no gap, and the history holds every point in time order.
    expect(await gw.metric("citytwin_ingest_seq_gaps_total")).toBe(0);
    const ch4 = gw.gateway.parts.registry.sensorsById.get(`${GAS_DEV}.ch4`);
    const history = gw.gateway.parts.hotStore.range(ch4?.index ?? -1, 0, Date.now());
    expect(history.map((p) => p[1])).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(await gw.metric("citytwin_ingest_decode_thread_failures_total")).toBe(threads === 0 ? 0 : 1);
    await edge.endAsync();
  });
});
