/**
 * DiskOutboundQueue: order, ack/release, restart recovery (clean and kill -9 style), torn
 * tail, power-loss gaps, quota eviction with counters and gap map, epoch change. Plus the
 * replay pacer.
 */
import { appendFileSync, mkdtempSync, readdirSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DiskOutboundQueue } from "../src/publish/disk-queue";
import { ReplayPacer } from "../src/publish/replay-pacer";
import { SequenceStore } from "../src/publish/sequence-store";

const EPOCH = 1_700_000_000_000;
const item = (seq: number, size = 100) => ({
  seq,
  readings: seq % 7,
  payload: JSON.stringify({ seq, pad: "x".repeat(size) }),
});
const tmp = () => mkdtempSync(join(tmpdir(), "ct-dq-"));
const open = (
  dir: string,
  lastSeq: number,
  extra: Partial<{ maxBytes: number; segmentBytes: number }> = {},
) => {
  const q = new DiskOutboundQueue({ dir, maxBytes: 1 << 20, fsyncIntervalMs: 50, ...extra });
  return { q, rec: q.open(EPOCH, lastSeq) };
};
const takeAll = (q: DiskOutboundQueue) => {
  const out: number[] = [];
  for (let it = q.takeNext(); it !== undefined; it = q.takeNext()) out.push(it.seq);
  return out;
};
const segFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith("seg-"))
    .sort();

describe("DiskOutboundQueue", () => {
  it("keeps seq order, returns payloads intact, re-queues released items, filters live", () => {
    const { q } = open(tmp(), 0);
    for (let s = 1; s <= 5; s++) q.push(item(s));
    expect(q.takeNext()).toEqual(item(1));
    expect(q.takeNext(3)?.seq).toBe(4); // live filter: first pending with seq > 3
    q.release(1);
    expect([q.pending, q.inFlight]).toEqual([4, 1]);
    expect(takeAll(q)).toEqual([1, 2, 3, 5]);
    for (const s of [1, 2, 3, 4, 5]) q.ack(s);
    expect(q.pending + q.inFlight).toBe(0);
    expect(q.gaps()).toEqual([]);
    q.close();
  });

  it("recovers pending items after a clean close and after a kill (no close)", () => {
    const dir = tmp();
    const a = open(dir, 0).q;
    for (let s = 1; s <= 6; s++) a.push(item(s));
    takeAll(a);
    a.ack(1);
    a.ack(2);
    a.close();
    const b = open(dir, 6);
    expect(b.rec.highestSeq).toBe(6);
    expect(takeAll(b.q)).toEqual([3, 4, 5, 6]);
    b.q.ack(3);
    b.q.push(item(7));
    // kill -9: no close(); the ack of 3 may or may not be on disk, 4..7 must be.
    const c = open(dir, 7);
    const got = takeAll(c.q);
    expect(got.filter((s) => s >= 4)).toEqual([4, 5, 6, 7]);
    expect(got.every((s) => s >= 3)).toBe(true);
    expect(c.q.gaps()).toEqual([]);
    expect(c.q.stats()).toMatchObject({ lostBatches: 0, tornRecords: 0 });
    c.q.close();
  });

  it("truncates a torn tail, counts it and reports the lost seqs as a gap", () => {
    const dir = tmp();
    const a = open(dir, 0).q;
    for (let s = 1; s <= 4; s++) a.push(item(s));
    a.close();
    const seg = join(dir, segFiles(dir).at(-1) as string);
    const full = statSync(seg).size;
    truncateSync(seg, full - 10); // record 4 torn mid-body
    appendFileSync(seg, Buffer.from([1, 2, 3]));
    const b = open(dir, 4);
    expect(b.q.stats()).toMatchObject({ tornRecords: 1, lostBatches: 1 });
    expect(b.q.gaps()).toEqual([{ epoch: EPOCH, from: 4, to: 4, reason: "lost" }]);
    expect(takeAll(b.q)).toEqual([1, 2, 3]);
    expect(statSync(seg).size).toBeLessThan(full - 10);
    b.q.close();
  });

  it("reports seqs the sequence store assigned but the queue never made durable as lost", () => {
    const dir = tmp();
    const a = open(dir, 0).q;
    for (let s = 1; s <= 3; s++) a.push(item(s));
    a.close();
    const b = open(dir, 6); // 4..6 were assigned, then power went before they hit the disk
    expect(b.q.gaps()).toEqual([{ epoch: EPOCH, from: 4, to: 6, reason: "lost" }]);
    expect(b.q.stats().lostBatches).toBe(3);
    expect(takeAll(b.q)).toEqual([1, 2, 3]);
    b.q.close();
    // Reported once: a later open does not count them again.
    const c = open(dir, 6);
    expect(c.q.stats().lostBatches).toBe(3);
    c.q.close();
  });

  it("evicts whole oldest segments over the quota, never in-flight ones, with counters and gap map", () => {
    const dir = tmp();
    // ~150 B records, 4 KiB segments, 16 KiB quota.
    const { q } = open(dir, 0, { maxBytes: 16 * 1024, segmentBytes: 4096 });
    q.push(item(1));
    expect(q.takeNext()?.seq).toBe(1); // in flight: its segment must survive
    let evicted = 0;
    for (let s = 2; s <= 200; s++) evicted += q.push(item(s));
    const st = q.stats();
    expect(evicted).toBeGreaterThan(0);
    expect(st.evictedBatches).toBe(evicted);
    expect(st.bytes).toBeLessThanOrEqual(16 * 1024);
    const onDisk = segFiles(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    expect(onDisk).toBe(st.bytes);
    const gaps = q.gaps();
    expect(gaps.every((g) => g.reason === "evicted" && g.epoch === EPOCH)).toBe(true);
    const lost = gaps.flatMap((g) => Array.from({ length: g.to - g.from + 1 }, (_, i) => g.from + i));
    expect(lost).toHaveLength(evicted);
    expect(lost).not.toContain(1);
    expect(st.evictedReadings).toBe(lost.reduce((n, s) => n + (s % 7), 0));
    expect(st.evictedBytes).toBe(lost.reduce((n, s) => n + 8 + 20 + item(s).payload.length, 0));
    // Oldest first: what is still pending shares the in-flight segment (older than every evicted
    // seq) or is newer than every evicted seq.
    const pending = takeAll(q);
    const [lo, hi] = [Math.min(...lost), Math.max(...lost)];
    expect(pending.filter((s) => s > lo && s < hi)).toEqual([]);
    expect(pending.some((s) => s < lo)).toBe(true);
    expect(new Set([1, ...pending, ...lost]).size).toBe(200);
    q.close();
    // Counters and gap map survive a restart.
    const b = open(dir, 200);
    expect(b.q.stats()).toMatchObject({ evictedBatches: evicted, lostBatches: 0 });
    expect(b.q.gaps()).toEqual(gaps);
    expect(takeAll(b.q)).toEqual([1, ...pending]);
    b.q.close();
  });

  it("reports records of a previous epoch as lost when the sequence stream restarted", () => {
    const dir = tmp();
    const a = open(dir, 0).q;
    for (let s = 1; s <= 3; s++) a.push(item(s));
    a.close();
    const b = new DiskOutboundQueue({ dir, maxBytes: 1 << 20, fsyncIntervalMs: 50 });
    expect(b.open(EPOCH + 1, 0).highestSeq).toBe(0);
    expect(b.gaps()).toEqual([{ epoch: EPOCH, from: 1, to: 3, reason: "lost" }]);
    expect(b.takeNext()).toBeUndefined();
    b.close();
  });
});

describe("SequenceStore.advanceTo", () => {
  it("moves lastSeq up to the queue's highest seq, never down, durably", () => {
    const dir = tmp();
    const a = new SequenceStore(dir, () => EPOCH);
    a.open();
    a.advanceTo(41);
    a.advanceTo(7);
    expect(a.lastSeq).toBe(41);
    const b = new SequenceStore(dir, () => 0);
    b.open();
    expect([b.epoch, b.next()]).toEqual([EPOCH, 42]);
  });
});

describe("ReplayPacer", () => {
  it("allows ratePerSecond backlog sends per second after the burst", () => {
    let now = 0;
    const p = new ReplayPacer(4, () => now);
    let sent = 0;
    while (p.take()) sent++;
    expect(sent).toBe(4);
    expect(p.waitMs()).toBe(250);
    now += 500;
    expect([p.take(), p.take(), p.take()]).toEqual([true, true, false]);
    p.mark = 10;
    expect([p.isBacklog(10), p.isBacklog(11)]).toEqual([true, false]);
  });
});
