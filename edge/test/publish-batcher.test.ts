import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { telemetryBatchSchema } from "@citytwin/model";
import type { Reading } from "../src/drivers";
import {
  MemoryOutboundQueue,
  SequenceStore,
  TelemetryBatcher,
  countReadings,
  handleCommand,
} from "../src/publish";

const r = (
  key: string,
  value: Reading["value"],
  ts = 1000,
  quality: Reading["quality"] = "good",
): Reading => ({
  deviceId: "340111-GVC-00007-D01",
  key,
  ts,
  clock: "edge",
  value,
  quality,
});

describe("TelemetryBatcher", () => {
  it("drainParts() carries each part's devices map serialised, split as drain() splits", () => {
    const parts = (b: TelemetryBatcher) => {
      for (let i = 0; i < 40; i++) b.add(r(`k${i}`, i % 3 === 0 ? null : i, 1000 + (i % 4)), 0);
      return b;
    };
    const expected = parts(new TelemetryBatcher(600, 10)).drain();
    const got = parts(new TelemetryBatcher(600, 10)).drainParts();
    expect(got.length).toBeGreaterThan(1);
    expect(got.map((p) => p.devices)).toEqual(expected);
    for (const p of got) expect(p.json).toBe(JSON.stringify(p.devices));
  });

  it("groups same device + ts into one entry and lists only non-good keys in q", () => {
    const b = new TelemetryBatcher();
    b.add(r("ch4", 1.5), 0);
    b.add(r("temp", null, 1000, "bad"), 0);
    b.add(r("ch4", 2.5, 2000), 0);
    b.add(r("flag", null, 2000, "good"), 0); // a null value is never good
    expect(b.size).toBe(4);
    const [devices, more] = b.drain();
    expect(more).toBeUndefined();
    expect(devices).toEqual({
      "340111-GVC-00007-D01": [
        { ts: 1000, clock: "edge", values: { ch4: 1.5, temp: null }, q: { temp: "bad" } },
        { ts: 2000, clock: "edge", values: { ch4: 2.5, flag: null }, q: { flag: "bad" } },
      ],
    });
    expect(b.size).toBe(0);
    const batch = { v: 1, epoch: 1, seq: 1, sentAt: 1, devices };
    expect(telemetryBatchSchema.parse(batch)).toEqual(batch);
  });

  it("splits to stay within the byte and reading limits", () => {
    const b = new TelemetryBatcher(2000, 30);
    for (let i = 0; i < 100; i++) b.add(r(`k${i % 20}`, i * 1.123456789, 1000 + Math.floor(i / 20)), 0);
    const parts = b.drain();
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.reduce((n, p) => n + countReadings(p), 0)).toBe(100);
    for (const p of parts) {
      expect(countReadings(p)).toBeLessThanOrEqual(30);
      expect(JSON.stringify(p).length + 128).toBeLessThanOrEqual(2000);
    }
  });
});

describe("SequenceStore", () => {
  it("persists epoch and last seq so a reopen continues without reuse", () => {
    const dir = mkdtempSync(join(tmpdir(), "ct-edge-seq-"));
    const a = new SequenceStore(dir, () => 1234);
    expect(a.open()).toBe(false);
    expect([a.next(), a.next(), a.next()]).toEqual([1, 2, 3]);
    expect(JSON.parse(readFileSync(join(dir, "sequence.json"), "utf8"))).toEqual({ epoch: 1234, lastSeq: 3 });
    const b = new SequenceStore(dir, () => 9999);
    expect(b.open()).toBe(true);
    expect(b.epoch).toBe(1234);
    expect(b.next()).toBe(4);
  });
});

describe("MemoryOutboundQueue", () => {
  it("keeps order, re-queues released items ahead of newer ones and evicts the oldest pending", () => {
    const q = new MemoryOutboundQueue(3);
    const item = (seq: number) => ({ seq, payload: String(seq), readings: 1 });
    q.push(item(1));
    q.push(item(2));
    expect(q.takeNext()?.seq).toBe(1);
    q.push(item(3));
    expect(q.push(item(4))).toBe(1); // full: oldest pending (2) evicted, in-flight 1 kept
    expect(q.gaps()).toEqual([{ epoch: 0, from: 2, to: 2, reason: "evicted" }]);
    expect(q.evicted).toBe(1);
    q.release(1);
    expect([q.takeNext()?.seq, q.takeNext()?.seq, q.takeNext()?.seq]).toEqual([1, 3, 4]);
    q.ack(1);
    q.ack(3);
    q.ack(4);
    expect(q.pending + q.inFlight).toBe(0);
  });
});

describe("handleCommand", () => {
  const cmd = (o: Record<string, unknown>) =>
    Buffer.from(
      JSON.stringify({ v: 1, id: "c1", name: "ping", issuedAt: 1000, issuedBy: "op", timeoutMs: 5000, ...o }),
    );
  it("answers ping, refuses other names, recovers ids of invalid commands", () => {
    expect(handleCommand("ping", cmd({}), 2000)).toEqual({
      name: "ping",
      result: { v: 1, id: "c1", ok: true, value: "pong", completedAt: 2000 },
    });
    expect(handleCommand("lamp", cmd({ name: "lamp" }), 2000)).toMatchObject({
      result: { ok: false, error: { code: "UNSUPPORTED" } },
    });
    expect(handleCommand("ping", cmd({}), 7000)).toMatchObject({
      result: { ok: false, error: { code: "EXPIRED" } },
    });
    expect(handleCommand("ping", Buffer.from('{"id":"x9","v":2}'), 1)).toMatchObject({
      result: { id: "x9", ok: false, error: { code: "INVALID_COMMAND" } },
    });
    expect(handleCommand("ping", Buffer.from("garbage"), 1)).toEqual({ invalid: true });
  });
});
