/**
 * Journal catch-up on a decode thread (journal/replay.ts): the lines a sink catches up with
 * are the same whether the records are decoded on the event loop or on a thread, each record
 * judged against its own `receivedAt`; a thread that dies or a pool that stops before it
 * answers leaves the records to the event loop, with the same lines.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DecodePool } from "../src/ingest/decode-pool";
import { IngestJournal } from "../src/journal/journal";
import { catchUpSource, type CatchUpSource } from "../src/journal/replay";
import { GatewayMetrics } from "../src/metrics";
import { NOW, limits, newPool, payloadArb, registry, silent } from "./decode-fixtures";
import { GW, GW2 } from "./fixtures";

const dir = mkdtempSync(join(tmpdir(), "citytwin-catch-up-"));
const RECORDS = 1000;
let journal: IngestJournal;

beforeAll(() => {
  // receivedAt steps through ±10 min around NOW, so the clock-skew window (5 min) accepts a
  // reading for some records and rejects the same timestamp for others.
  let clock = NOW;
  journal = new IngestJournal({
    dir,
    maxBytes: 64 * 1024 * 1024,
    segmentBytes: 64 * 1024,
    fsync: "interval",
    fsyncIntervalMs: 1000,
    now: () => clock,
    metrics: new GatewayMetrics(),
    logger: silent,
  });
  journal.open();
  const texts = fc.sample(payloadArb, { numRuns: RECORDS, seed: 11 });
  texts.forEach((text, i) => {
    clock = NOW + ((i % 41) - 20) * 30_000;
    journal.append(i % 2 === 0 ? GW : GW2, Buffer.from(text));
  });
});

afterAll(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

function source(decodePool?: DecodePool): CatchUpSource {
  return catchUpSource(
    { journal, registry, limits, metrics: new GatewayMetrics(), logger: silent, decodePool },
    "t",
  );
}

/** Every batch from record 1 to the end: the records each covers and its lines. */
async function catchUpAll(src: CatchUpSource, maxLines: number, beforeAwait?: () => Promise<void>) {
  const batches: { last: number; lines: string[] }[] = [];
  for (let from = 1; ;) {
    const batch = src(from, maxLines);
    if (batch === undefined) return batches;
    await beforeAwait?.();
    batches.push({ last: batch.last, lines: await batch.lines });
    from = batch.last + 1;
  }
}

describe("journal catch-up on a decode thread", () => {
  it("writes the same lines as the event loop, batch bounds at record edges", async () => {
    const here = (await catchUpAll(source(), 100)).flatMap((b) => b.lines);
    expect(here.length).toBeGreaterThan(100); // the sample has accepted readings (the rest is rejected)
    const pool = newPool();
    await pool.start();
    try {
      const batches = await catchUpAll(source(pool), 100);
      expect(batches.flatMap((b) => b.lines)).toEqual(here);
      expect(batches.at(-1)?.last).toBe(RECORDS);
      expect(batches.length).toBeGreaterThan(3); // cut by payload bytes, not one big batch
      for (let i = 1; i < batches.length; i++)
        expect(batches[i]?.last).toBeGreaterThan(batches[i - 1]?.last ?? 0);
      // Time windows follow each record's receivedAt: with one "now" for all, lines differ.
      const records = [];
      for (let no = 1; no <= journal.lastNo; no = (records.at(-1)?.no ?? 0) + 1)
        records.push(...journal.read(no));
      expect(records.length).toBe(RECORDS);
      let n = 0;
      (await pool.decode(records, NOW)).each(() => n++);
      expect(n).not.toBe(here.length);
    } finally {
      await pool.stop();
    }
  });

  it("falls back to the event loop when the thread dies or the pool stops first", async () => {
    const here = (await catchUpAll(source(), 100)).flatMap((b) => b.lines);
    const pool = newPool();
    await pool.start();
    const metrics = new GatewayMetrics();
    const killed = catchUpSource(
      { journal, registry, limits, metrics, logger: silent, decodePool: pool },
      "t",
    );
    // One batch, every record, sent to the thread, which is killed: whether it answered
    // first or died first, the lines are the same.
    const first = killed(1, 1_000_000);
    await pool.workers[0]?.terminate();
    expect(await first?.lines).toEqual(here);
    expect(first?.last).toBe(RECORDS);

    // A pool stopped before its thread could answer (same tick): decoded on the event loop.
    const other = newPool();
    await other.start();
    const pending = source(other)(1, 1_000_000);
    await other.stop();
    expect(await pending?.lines).toEqual(here);
    await pool.stop();
  });
});
