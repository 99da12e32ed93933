/**
 * LineWriter with several POSTs in flight (pure logic, no InfluxDB): a fake WriteTarget whose
 * posts resolve when the test says. Checks the in-flight bound and that the journal cursor
 * is committed in batch order whatever order the sends complete in.
 */
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import {
  LineWriter,
  type LineWriterOptions,
  type PostOutcome,
  type WriteTarget,
} from "../src/influx/line-writer";
import type { AcceptedReading } from "../src/ingest/validate";
import { SinkCursor } from "../src/journal/cursor";
import type { IngestJournal } from "../src/journal/journal";
import type { CatchUpSource } from "../src/journal/replay";
import { GatewayMetrics } from "../src/metrics";

interface Post {
  body: string;
  answer(outcome?: PostOutcome): void;
}

/** Posts wait in `pending` until answered; counts those in flight and the most at once. */
class FakeTarget implements WriteTarget {
  readonly name = "fake";
  readonly pending: Post[] = [];
  readonly written: string[] = [];
  posts = 0;
  inFlight = 0;
  maxInFlight = 0;

  post(body: string): Promise<PostOutcome> {
    this.posts++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve) => {
      const post: Post = {
        body,
        answer: (outcome = { ok: true }) => {
          this.pending.splice(this.pending.indexOf(post), 1);
          this.inFlight--;
          if (outcome.ok) this.written.push(body);
          resolve(outcome);
        },
      };
      this.pending.push(post);
    });
  }

  /** The pending post whose body holds `line`. */
  find(line: string): Post {
    const p = this.pending.find((x) => x.body.split("\n").includes(line));
    if (p === undefined) throw new Error(`no pending post with ${line}`);
    return p;
  }

  /** Waits until `n` posts are pending. */
  async waitPending(n: number): Promise<void> {
    await vi.waitFor(() => expect(this.pending.length).toBe(n), { timeout: 2000, interval: 1 });
  }
}

const reading = (ts: number) =>
  ({ sensor: { series: "m,s=a" }, ts, value: ts, quality: "good" }) as unknown as AcceptedReading;
const lineOf = (ts: number) => `m,s=a value=${ts},quality="good" ${ts}`;

/** Lets pending promise callbacks (commits) run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

function writer(
  target: FakeTarget,
  extra: Partial<LineWriterOptions> & { cursor?: SinkCursor; catchUp?: CatchUpSource; lastNo?: number } = {},
) {
  const { cursor, catchUp, lastNo, ...opts } = extra;
  return new LineWriter(target, {
    batchSize: 2,
    flushIntervalMs: 60_000,
    maxRetries: 5,
    retryBaseMs: 1,
    retryMaxMs: 1,
    logger: pino({ level: "silent" }),
    metrics: new GatewayMetrics(),
    onWriteFailed: () => {},
    journal:
      cursor === undefined
        ? undefined
        : {
            journal: { lastNo: lastNo ?? 0 } as IngestJournal,
            cursor,
            catchUp: catchUp ?? (() => undefined),
          },
    ...opts,
  });
}

/**
 * Writes record `no` as two readings at ts no*10, no*10+1: with batchSize 2, one full batch.
 * The batch is cut at its last line, before the record is noted, so record `no` is committed
 * with the next batch cut (batch no+1).
 */
const writeRecord = (w: LineWriter, no: number) => w.write([reading(no * 10), reading(no * 10 + 1)], no);

describe("LineWriter with requests in flight", () => {
  it("keeps at most `concurrency` posts in flight and reaches it", async () => {
    const t = new FakeTarget();
    const w = writer(t, { concurrency: 3 });
    for (let i = 0; i < 10; i++) w.writeLines([`a ${2 * i}`, `a ${2 * i + 1}`]);
    await t.waitPending(3);
    while (t.pending.length > 0) {
      t.pending[t.pending.length - 1]?.answer();
      await settle();
      expect(t.inFlight).toBeLessThanOrEqual(3);
    }
    await w.flush();
    expect(t.maxInFlight).toBe(3);
    expect(t.written).toHaveLength(10);
  });

  it("with concurrency 1 sends one batch at a time", async () => {
    const t = new FakeTarget();
    const w = writer(t, { concurrency: 1 });
    for (let i = 0; i < 5; i++) w.writeLines([`a ${2 * i}`, `a ${2 * i + 1}`]);
    for (let i = 0; i < 5; i++) {
      await t.waitPending(1);
      await settle();
      expect(t.pending).toHaveLength(1);
      expect(t.pending[0]?.body).toBe(`a ${2 * i}\na ${2 * i + 1}`);
      t.pending[0]?.answer();
    }
    await w.flush();
    expect(t.maxInFlight).toBe(1);
    expect(t.written).toHaveLength(5);
  });

  it("commits a batch that completes early only after the earlier ones", async () => {
    const t = new FakeTarget();
    const cursor = new SinkCursor("fake", 0, () => 0);
    const w = writer(t, { concurrency: 3, cursor });
    for (let no = 1; no <= 4; no++) writeRecord(w, no); // batches 1-3 in flight, 4 queued
    await t.waitPending(3);

    t.find(lineOf(20)).answer(); // batch 2 (record 1) first
    await settle();
    expect(cursor.position).toBe(0);
    t.find(lineOf(30)).answer(); // then batch 3 (record 2)
    await settle();
    expect(cursor.position).toBe(0);
    t.find(lineOf(10)).answer(); // batch 1: batches 1-3 commit
    await settle();
    expect(cursor.position).toBe(2);
    t.find(lineOf(40)).answer(); // batch 4 (record 3)
    await settle();
    expect(cursor.position).toBe(3);
    await w.flush(); // cuts record 4 (no lines left)
    expect(cursor.position).toBe(4);
  });

  it("commits catch-up batches (doneThrough) in order too", async () => {
    const t = new FakeTarget();
    const cursor = new SinkCursor("fake", 0, () => 0);
    // Records 1…9, one line each; batches of 2 lines → through 2, 4, 6, 8, 9.
    const catchUp: CatchUpSource = (from, maxLines) => {
      if (from > 9) return undefined;
      const last = Math.min(9, from + maxLines - 1);
      const lines: string[] = [];
      for (let n = from; n <= last; n++) lines.push(`c ${n}`);
      return { lines, last };
    };
    const w = writer(t, { concurrency: 3, cursor, catchUp, lastNo: 9 });
    await w.start(); // cursor behind the journal: catch up
    expect(w.state).toBe("catch-up");
    await t.waitPending(3);

    t.find("c 5").answer(); // through 6 completes first
    await settle();
    expect(cursor.position).toBe(0);
    t.find("c 3").answer(); // through 4
    await settle();
    expect(cursor.position).toBe(0);
    t.find("c 1").answer(); // through 2: 2, 4 and 6 commit
    await settle();
    expect(cursor.position).toBe(6);

    await t.waitPending(2); // through 8 and 9, started as the first ones finished
    t.find("c 9").answer();
    await settle();
    expect(cursor.position).toBe(6);
    t.find("c 7").answer();
    await settle();
    expect(cursor.position).toBe(9);
    await w.flush();
    expect(w.state).toBe("live");
    expect(t.written).toHaveLength(5);
    await w.stop();
  });

  it("retries one batch while the others succeed; each batch written once, cursor at the end", async () => {
    const t = new FakeTarget();
    const cursor = new SinkCursor("fake", 0, () => 0);
    const w = writer(t, { concurrency: 3, cursor });
    for (let no = 1; no <= 6; no++) writeRecord(w, no);
    await t.waitPending(3);

    t.find(lineOf(10)).answer({ ok: false, status: 503, message: "busy" });
    t.find(lineOf(20)).answer();
    t.find(lineOf(30)).answer();
    await settle();
    expect(cursor.position).toBe(0); // batch 1 is being retried

    // Answer everything else until all six are written (the retry of batch 1 among them).
    while (t.written.length < 6) {
      await vi.waitFor(() => expect(t.pending.length).toBeGreaterThan(0), { timeout: 2000, interval: 1 });
      t.pending[0]?.answer();
      await settle();
    }
    await w.flush();
    expect(cursor.position).toBe(6);
    expect(t.pending).toHaveLength(0);
    expect(t.posts).toBe(7); // batch 1 twice
    expect([...t.written].sort()).toEqual(
      [1, 2, 3, 4, 5, 6].map((no) => `${lineOf(no * 10)}\n${lineOf(no * 10 + 1)}`).sort(),
    );
  });

  it("flush() resolves only once every post in flight has been answered", async () => {
    const t = new FakeTarget();
    const w = writer(t, { concurrency: 4 });
    w.writeLines(["a 1", "a 2", "a 3", "a 4", "a 5"]); // two full batches; "a 5" waits for flush
    let flushed = false;
    const flushing = w.flush().then(() => (flushed = true));
    await t.waitPending(3);
    t.find("a 5").answer();
    t.find("a 1").answer();
    await settle();
    expect(flushed).toBe(false);
    t.find("a 3").answer();
    await flushing;
    expect(t.inFlight).toBe(0);
    expect(t.written).toHaveLength(3);
  });
});
