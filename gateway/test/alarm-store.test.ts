import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AlarmStore, JOURNAL_FILE, SNAPSHOT_FILE, type AlarmStoreOptions } from "../src/alarms/index";
import { harness, must, NO_DELAYS, OPERATOR, T0 } from "./alarm-harness";

let dir: string;
const stores: AlarmStore[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "citytwin-alarms-"));
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function openStore(opts: Partial<AlarmStoreOptions> = {}): Promise<AlarmStore> {
  const s = await AlarmStore.open(dir, {
    logger: pino({ level: "silent" }),
    fsyncIntervalMs: 60_000,
    ...opts,
  });
  stores.push(s);
  return s;
}
/** A gateway restart: a new store and manager on the same directory, the clock going on. */
async function restart(now: number, opts: Partial<AlarmStoreOptions> = {}) {
  const store = await openStore(opts);
  return { store, h: harness(NO_DELAYS, { journal: store }, now) };
}
const journalLines = async () =>
  (await readFile(join(dir, JOURNAL_FILE), "utf8")).split("\n").filter(Boolean);

/** Alarms, incidents, shelving, maintenance, audit: a bit of everything. */
async function populate(h: ReturnType<typeof harness>) {
  h.cond("S-1", "red", { evidence: ["S-1", "S-2"] });
  const red = h.latest("S-1")?.id ?? "?";
  must(await h.mgr.acknowledge(red, OPERATOR));
  must(await h.mgr.dispatchIncident(h.latest("S-1")?.incidentId ?? "?", OPERATOR, "crew 3"));
  h.cond("S-3", "yellow");
  must(await h.mgr.shelve(h.latest("S-3")?.id ?? "?", OPERATOR, { durationS: 3600, reason: "calibration" }));
  h.cond("B-0", "blue");
  must(await h.mgr.outOfService(h.latest("B-0")?.id ?? "?", OPERATOR, "replaced"));
  h.cond("S-2", "orange");
  must(await h.mgr.acknowledge(h.latest("S-2")?.id ?? "?", OPERATOR));
  h.cond("S-2", "normal"); // closed: history
  must(await h.mgr.setMaintenance("GPS-104", true, OPERATOR, "WO-9"));
  h.advance(1_000);
  return red;
}

describe("alarm persistence across restarts", () => {
  it("restores alarms, history, incidents, audit, shelving, out of service and maintenance after a clean stop", async () => {
    const first = await openStore();
    expect(first.restored).toBeUndefined();
    const h1 = harness(NO_DELAYS, { journal: first });
    const red = await populate(h1);
    const before = h1.mgr.snapshot();
    await first.close();
    expect((await stat(join(dir, SNAPSHOT_FILE))).size).toBeGreaterThan(0);
    expect(await journalLines()).toEqual([]); // compacted on close

    const { store, h } = await restart(h1.now());
    expect(store.loadReport).toMatchObject({ snapshot: "loaded", torn: 0, invalidTotal: 0 });
    expect(h.mgr.snapshot()).toEqual(before);
    expect(h.mgr.alarm(red)).toMatchObject({ state: "ack", ackedBy: "li.wei", level: "red" });
    expect(h.mgr.alarm(red)?.evidence.map((e) => e.sensorId)).toEqual(["S-1", "S-2"]);
    expect(h.latest("S-3")?.shelved?.reason).toBe("calibration");
    expect(h.mgr.stats()).toMatchObject({
      outOfService: 1,
      maintenanceAssets: 1,
      open: 3,
      byState: { normal: 1 },
    });
    // Ids go on from where they were, never reused.
    const maxBefore = Math.max(...before.alarms.map((a) => Number(a.id.split("-")[2])));
    h.cond("B-1", "red");
    expect(Number(h.latest("B-1")?.id.split("-")[2])).toBe(maxBefore + 1);
    // …and so do audit sequence numbers (the red alarm opened an incident).
    expect(h.mgr.audit().at(-1)).toMatchObject({
      action: "incident_open",
      seq: (before.audit.at(-1)?.seq ?? 0) + 1,
    });
  });

  it("after a crash: operator actions are on disk when they resolve; automatic changes within the batch interval", async () => {
    const first = await openStore({ fsyncIntervalMs: 60_000 });
    const h1 = harness(NO_DELAYS, { journal: first });
    h1.cond("S-1", "red");
    const id = h1.latest("S-1")?.id ?? "?";
    must(await h1.mgr.acknowledge(id, OPERATOR)); // fsynced, with the raise before it
    h1.cond("S-1", "normal"); // automatic: batched, not yet on disk
    expect(h1.mgr.alarm(id)?.state).toBe("normal");

    let { h } = await restart(h1.now()); // the first process "crashed": never closed
    expect(h.mgr.alarm(id)).toMatchObject({ state: "ack", active: true, ackedBy: "li.wei" });
    expect(h.mgr.alarm(id)?.evidence).toHaveLength(1); // kept from the raise record

    await first.sync(); // what the batch timer does
    ({ h } = await restart(h1.now()));
    expect(h.mgr.alarm(id)).toMatchObject({ state: "normal", active: false });
  });

  it("the batch timer writes automatic changes without any operator action", async () => {
    const first = await openStore({ fsyncIntervalMs: 10 });
    const h1 = harness(NO_DELAYS, { journal: first });
    h1.cond("S-1", "red");
    await new Promise((r) => setTimeout(r, 100));
    const { h } = await restart(h1.now());
    expect(h.latest("S-1")).toMatchObject({ state: "unack", active: true });
  });

  it("tolerates a torn last line: counts it, cuts it off, and appends cleanly after it", async () => {
    const first = await openStore();
    const h1 = harness(NO_DELAYS, { journal: first });
    const red = await populate(h1);
    await first.sync();
    const good = (await stat(join(dir, JOURNAL_FILE))).size;
    await appendFile(join(dir, JOURNAL_FILE), '{"t":"audit","entry":{"seq":99,"ts":17');

    const second = await restart(h1.now());
    expect(second.store.loadReport).toMatchObject({
      torn: 1,
      invalid: 0,
      validBytes: good,
      snapshot: "absent",
    });
    expect((await stat(join(dir, JOURNAL_FILE))).size).toBe(good);
    expect(second.h.mgr.snapshot()).toEqual({ ...h1.mgr.snapshot(), savedAt: second.h.now() });
    must(await second.h.mgr.unshelve(second.h.latest("S-3")?.id ?? "?", OPERATOR));

    const third = await restart(h1.now());
    expect(third.store.loadReport).toMatchObject({ torn: 0, invalid: 0 });
    expect(third.h.latest("S-3")?.shelved).toBeUndefined();
    expect(third.h.mgr.alarm(red)?.state).toBe("ack");
  });

  it("keeps a complete last record that lost only its newline, and appends after it cleanly", async () => {
    const first = await openStore();
    const h1 = harness(NO_DELAYS, { journal: first });
    h1.cond("S-1", "red");
    await first.sync();
    const text = await readFile(join(dir, JOURNAL_FILE), "utf8");
    await writeFile(join(dir, JOURNAL_FILE), text.trimEnd());
    const second = await restart(h1.now());
    expect(second.store.loadReport).toMatchObject({ torn: 0, invalid: 0, missingNewline: true });
    must(await second.h.mgr.acknowledge(second.h.latest("S-1")?.id ?? "?", OPERATOR));
    const third = await restart(h1.now());
    expect(third.store.loadReport).toMatchObject({ torn: 0, invalid: 0, missingNewline: false });
    expect(third.h.latest("S-1")?.state).toBe("ack");
  });

  it("skips an invalid line in the middle and counts it", async () => {
    const first = await openStore();
    const h1 = harness(NO_DELAYS, { journal: first });
    await populate(h1);
    await first.sync();
    const lines = await journalLines();
    lines.splice(2, 0, "not json", '{"t":"alarm","alarm":{"id":"A-1"}}');
    await writeFile(join(dir, JOURNAL_FILE), `${lines.join("\n")}\n`);
    const { store, h } = await restart(h1.now());
    expect(store.loadReport).toMatchObject({ invalid: 2, invalidTotal: 2, torn: 0 });
    expect(h.mgr.alarms()).toEqual(h1.mgr.alarms());
  });

  it("moves an unreadable snapshot aside and still replays the journal", async () => {
    const first = await openStore();
    const h1 = harness(NO_DELAYS, { journal: first });
    h1.cond("S-1", "red");
    await first.sync();
    await writeFile(join(dir, SNAPSHOT_FILE), "{ broken");
    const { store, h } = await restart(h1.now());
    expect(store.loadReport.snapshot).toBe("corrupt");
    expect((await readdir(dir)).some((f) => f.startsWith(`${SNAPSHOT_FILE}.corrupt-`))).toBe(true);
    expect(h.latest("S-1")?.state).toBe("unack");
  });

  it("compacts after N records, and a journal the snapshot already holds replays idempotently", async () => {
    const first = await openStore({ compactAfterRecords: 1_000_000 });
    const h1 = harness(NO_DELAYS, { journal: first });
    await populate(h1);
    await first.sync();
    const journal = await readFile(join(dir, JOURNAL_FILE));
    await first.compact();
    expect(await journalLines()).toEqual([]);
    // Crash between the snapshot rename and the journal truncation: the old journal is still there.
    await writeFile(join(dir, JOURNAL_FILE), journal);
    const { h } = await restart(h1.now());
    expect(h.mgr.snapshot()).toEqual({ ...h1.mgr.snapshot(), savedAt: h.now() });

    const small = await restart(h1.now(), { compactAfterRecords: 5 });
    for (let i = 0; i < 12; i++) small.h.cond(`B-${10 + i}`, "red");
    await small.store.sync();
    expect((await journalLines()).length).toBeLessThan(5 * 4); // the rest is in the snapshot
    const again = await restart(small.h.now());
    expect(again.h.mgr.alarms({ limit: 100 })).toEqual(small.h.mgr.alarms({ limit: 100 }));
  });
});

describe("what a restart does to active alarms and shelving", () => {
  it("clears an active alarm no detector confirms within restoreGraceMs; keeps a confirmed one", async () => {
    const first = await openStore();
    const h1 = harness(NO_DELAYS, { journal: first });
    h1.cond("S-1", "red");
    h1.cond("S-3", "red");
    const [gone, still] = [h1.latest("S-1")?.id ?? "?", h1.latest("S-3")?.id ?? "?"];
    await first.close();
    const { h } = await restart(h1.now());
    h.cond("S-3", "red"); // the detector re-emits what is still abnormal
    h.advance(299_999);
    expect(h.mgr.alarm(gone)?.active).toBe(true);
    h.advance(1);
    expect(h.mgr.alarm(gone)).toMatchObject({ active: false, state: "rtn_unack" });
    expect(h.mgr.alarm(still)).toMatchObject({ active: true, state: "unack" });
  });

  it("shelving that expired while the gateway was down re-annunciates on the first tick", async () => {
    const first = await openStore();
    const h1 = harness(NO_DELAYS, { journal: first });
    h1.cond("S-1", "red");
    const id = h1.latest("S-1")?.id ?? "?";
    must(await h1.mgr.acknowledge(id, OPERATOR));
    must(await h1.mgr.shelve(id, OPERATOR, { durationS: 600, reason: "x" }));
    await first.close();
    const { h } = await restart(T0 + 3_600_000);
    h.cond("S-1", "red");
    expect(h.mgr.alarm(id)?.shelved).toBeDefined();
    h.advance(1_000);
    expect(h.mgr.alarm(id)).toMatchObject({ state: "unack", shelved: undefined });
  });
});
