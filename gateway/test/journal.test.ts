/** The ingest journal on its own: append, read back, torn tail, full, cursors, segment deletion, restart. */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { GatewayTracker } from "../src/ingest/gateway-tracker";
import { SinkCursor } from "../src/journal/cursor";
import { IngestJournal, type JournalOptions } from "../src/journal/journal";
import { batchId, decodeJournalRecord, encodeJournalRecord } from "../src/journal/record";
import { rebuildSequences, saveSequences } from "../src/journal/seq-state";
import { GatewayMetrics } from "../src/metrics";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "citytwin-journal-"));
  dirs.push(d);
  return d;
}

function journal(dir: string, extra: Partial<JournalOptions> = {}) {
  const metrics = new GatewayMetrics();
  const j = new IngestJournal({
    dir,
    maxBytes: 1024 * 1024,
    segmentBytes: 16 * 1024,
    fsync: "interval",
    fsyncIntervalMs: 100,
    now: () => 1_700_000_000_000,
    metrics,
    logger: pino({ level: "silent" }),
    ...extra,
  });
  j.open();
  return { j, metrics };
}

const payload = (seq: number, pad = 0) =>
  Buffer.from(`{"v":1,"epoch":7,"seq":${seq},"sentAt":1,"devices":{}}${" ".repeat(pad)}`);

const metric = async (m: GatewayMetrics, name: string) =>
  (await m.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;

describe("journal records", () => {
  it("round-trips fields and takes (epoch, seq) from the canonical prefix or the payload", () => {
    const frame = encodeJournalRecord(42, 1234, "gw-01", payload(9));
    const rec = decodeJournalRecord(frame.subarray(8));
    expect(rec).toMatchObject({ no: 42, receivedAt: 1234, gatewayId: "gw-01", epoch: 7, seq: 9 });
    expect(rec.payload.toString()).toBe(payload(9).toString());
    const odd = decodeJournalRecord(
      encodeJournalRecord(1, 1, "gw", Buffer.from('{"seq":3,"v":1,"epoch":5}')).subarray(8),
    );
    expect(Number.isNaN(odd.seq)).toBe(true);
    expect(batchId(odd)).toEqual({ epoch: 5, seq: 3 });
    expect(batchId(decodeJournalRecord(encodeJournalRecord(1, 1, "gw", Buffer.from("x")).subarray(8)))).toBe(
      undefined,
    );
  });
});

describe("IngestJournal", () => {
  it("appends, reads back across segments and continues numbering after a restart", () => {
    const dir = tempDir();
    const { j } = journal(dir);
    for (let i = 1; i <= 100; i++) expect(j.append("gw-01", payload(i, 500))).toBe(i);
    expect(readdirSync(dir).filter((f) => f.startsWith("seg-")).length).toBeGreaterThan(2);
    j.close();
    const { j: again } = journal(dir);
    expect([again.firstNo, again.lastNo]).toEqual([1, 100]);
    const seqs: number[] = [];
    for (let no = 1; no <= again.lastNo;) {
      const recs = again.read(no, 2000);
      expect(recs.length).toBeGreaterThan(0);
      for (const r of recs) {
        expect(r.no).toBe(no++);
        seqs.push(r.seq);
      }
    }
    expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(again.append("gw-01", payload(101))).toBe(101);
    again.close();
  });

  it("cuts and counts a torn tail at open", async () => {
    const dir = tempDir();
    const { j } = journal(dir);
    for (let i = 1; i <= 5; i++) j.append("gw-01", payload(i));
    j.close();
    const last = readdirSync(dir)
      .filter((f) => f.startsWith("seg-"))
      .sort()
      .at(-1) as string;
    const seg = join(dir, last);
    const before = readFileSync(seg).length;
    appendFileSync(seg, Buffer.from([0, 0, 1, 0, 9, 9, 9, 9, 1, 2, 3])); // a header promising more
    const { j: again, metrics } = journal(dir);
    expect(await metric(metrics, "citytwin_journal_torn_total")).toBe(1);
    expect(readFileSync(seg).length).toBe(before);
    expect(again.lastNo).toBe(5);
    expect(again.append("gw-01", payload(6))).toBe(6);
    expect(again.read(6)[0]?.seq).toBe(6);
    again.close();
  });

  it("refuses appends over maxBytes and counts them", async () => {
    const dir = tempDir();
    const { j, metrics } = journal(dir, { maxBytes: 64 * 1024, segmentBytes: 16 * 1024 });
    let accepted = 0;
    while (j.append("gw-01", payload(accepted + 1, 1000)) !== undefined) accepted++;
    expect(accepted).toBeGreaterThan(40);
    expect(j.append("gw-01", payload(1, 1000))).toBe(undefined);
    expect(await metric(metrics, "citytwin_journal_refused_total")).toBe(2);
    // Once a sink is past the old segments they are deleted and appends are accepted again.
    j.cursor("s").doneThrough(j.lastNo);
    j.commit();
    expect(j.append("gw-01", payload(1))).toBe(accepted + 1);
    j.close();
  });

  it("persists cursors and deletes segments only when every cursor is past them", async () => {
    const dir = tempDir();
    const { j, metrics } = journal(dir);
    const a = j.cursor("influx-v1");
    const b = j.cursor("influx-v2");
    for (let i = 1; i <= 100; i++) j.append("gw-01", payload(i, 500));
    const segs = () => readdirSync(dir).filter((f) => f.startsWith("seg-")).length;
    const all = segs();
    a.doneThrough(100);
    j.commit();
    expect(segs()).toBe(all);
    expect(await metric(metrics, "citytwin_journal_records")).toBe(100);
    b.doneThrough(60);
    j.commit();
    expect(segs()).toBeLessThan(all);
    expect(j.firstNo).toBeLessThanOrEqual(61);
    expect(j.firstNo).toBeGreaterThan(1);
    expect(JSON.parse(readFileSync(join(dir, "cursor-influx-v2.json"), "utf8"))).toEqual({
      v: 1,
      position: 60,
    });
    j.close();
    const { j: again } = journal(dir);
    expect(again.cursor("influx-v1").position).toBe(100);
    expect(again.cursor("influx-v2").position).toBe(60);
    // A sink seen for the first time starts before the oldest retained record.
    expect(again.cursor("new-sink").position).toBe(again.firstNo - 1);
    again.close();
  });

  it("never reuses record numbers below a cursor, even with the segments gone", () => {
    const dir = tempDir();
    const { j } = journal(dir);
    for (let i = 1; i <= 10; i++) j.append("gw-01", payload(i));
    j.cursor("s").doneThrough(10);
    j.close();
    for (const f of readdirSync(dir)) if (f.startsWith("seg-")) rmSync(join(dir, f));
    const { j: again } = journal(dir);
    expect(again.append("gw-01", payload(11))).toBe(11);
    again.close();
  });

  it('with fsync "always" calls back after a group commit', async () => {
    const dir = tempDir();
    const { j } = journal(dir, { fsync: "always", groupCommitMs: 5 });
    j.append("gw-01", payload(1));
    const order: number[] = [];
    j.whenDurable(() => order.push(1));
    j.append("gw-01", payload(2));
    j.whenDurable(() => order.push(2));
    expect(order).toEqual([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual([1, 2]);
    j.close();
    expect(existsSync(dir)).toBe(true);
  });
});

describe("SinkCursor", () => {
  it("moves over contiguous completions only and reports how long a hole blocks it", () => {
    let now = 0;
    const c = new SinkCursor("s", 0, () => now);
    c.done(2);
    c.done(3);
    expect(c.position).toBe(0);
    now = 500;
    expect(c.blockedFor()).toBe(500);
    c.done(1);
    expect(c.position).toBe(3);
    expect(c.blockedFor()).toBe(0);
    c.done(5);
    c.doneThrough(4);
    expect(c.position).toBe(5);
  });
});

describe("sequence state across restarts", () => {
  it("is rebuilt from the saved state plus the retained records", () => {
    const dir = tempDir();
    const { j } = journal(dir);
    const live = new GatewayTracker(["gw-01"]);
    for (let seq = 1; seq <= 5; seq++) live.get("gw-01").seq.observe(7, seq);
    saveSequences(dir, live);
    for (const seq of [6, 7, 9]) j.append("gw-01", payload(seq));
    j.close();
    const { j: again } = journal(dir);
    const rebuilt = new GatewayTracker(["gw-01"]);
    expect(rebuildSequences(dir, again, rebuilt)).toBe(3);
    const seq = rebuilt.get("gw-01").seq;
    expect(seq.observe(7, 3)).toBe("duplicate");
    expect(seq.observe(7, 9)).toBe("duplicate");
    expect(seq.gaps()).toEqual([{ epoch: 7, from: 8, to: 8 }]);
    expect(seq.observe(7, 8)).toBe("new");
    again.close();
  });
});
