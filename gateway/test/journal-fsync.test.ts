/**
 * The journal's fsync runs off the event loop (node:fs `fsync` on the libuv pool, made slow
 * here): with fsync "always" a waiter is called back only after an fsync that started after
 * its append, an fsync asked for while one runs is done after it (never skipped), and EBADF
 * (a rotation closed the fd after fsyncing it itself) still counts as durable.
 */
import type * as NodeFs from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { IngestJournal } from "../src/journal/journal";
import { GatewayMetrics } from "../src/metrics";

const fsyncs = vi.hoisted(() => ({ started: 0, delayMs: 40, fail: undefined as string | undefined }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof NodeFs>();
  const fsync = (fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    fsyncs.started++;
    const code = fsyncs.fail;
    setTimeout(() => {
      if (code === undefined) fs.fsync(fd, cb);
      else cb(Object.assign(new Error(code), { code }));
    }, fsyncs.delayMs);
  };
  return { ...fs, default: { ...fs, fsync }, fsync };
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  fsyncs.started = 0;
  fsyncs.fail = undefined;
});

function journal() {
  const dir = mkdtempSync(join(tmpdir(), "citytwin-journal-fsync-"));
  dirs.push(dir);
  const j = new IngestJournal({
    dir,
    maxBytes: 1024 * 1024,
    segmentBytes: 64 * 1024,
    fsync: "always",
    fsyncIntervalMs: 100,
    groupCommitMs: 2,
    now: () => 1_700_000_000_000,
    metrics: new GatewayMetrics(),
    logger: pino({ level: "silent" }),
  });
  j.open();
  return j;
}

const payload = (seq: number) => Buffer.from(`{"v":1,"epoch":7,"seq":${seq},"sentAt":1,"devices":{}}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("journal fsync off the event loop", () => {
  it("calls a waiter back only after an fsync that began after its append", async () => {
    const j = journal();
    const order: string[] = [];
    j.append("gw-01", payload(1));
    j.whenDurable(() => order.push("a"));
    await sleep(15); // the first fsync is running (40 ms)
    expect(fsyncs.started).toBe(1);
    j.append("gw-01", payload(2));
    j.whenDurable(() => order.push("b"));
    await sleep(45); // the first fsync is done; "b" was appended after it began
    expect(order).toEqual(["a"]);
    expect(fsyncs.started).toBe(2);
    await sleep(60);
    expect(order).toEqual(["a", "b"]);
    j.close();
  });

  it("treats EBADF (the fd closed by a rotation that fsynced it) as durable", async () => {
    const j = journal();
    fsyncs.fail = "EBADF";
    const order: string[] = [];
    j.append("gw-01", payload(1));
    j.whenDurable(() => order.push("a"));
    await sleep(80);
    expect(order).toEqual(["a"]);
    j.close();
  });
});
