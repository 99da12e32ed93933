import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AckLedger, digest, type AckLedgerLine } from "../src/publish/ack-ledger";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function batch(seq: number) {
  return JSON.stringify({
    v: 1,
    epoch: 1700000000000,
    seq,
    sentAt: 1700000001000,
    devices: {
      "dev-a": [{ ts: 1000 + seq, clock: "edge", values: { p: 1.5, t: 20 } }],
      "dev-b": [{ ts: 2000 + seq, clock: "source", values: { q: null }, q: { q: "bad" } }],
    },
  });
}

function lines(file: string): AckLedgerLine[] {
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as AckLedgerLine);
}

describe("AckLedger", () => {
  it("appends one line per acknowledged batch with every reading, across reopen", () => {
    const dir = mkdtempSync(join(tmpdir(), "ct-ledger-"));
    dirs.push(dir);
    const file = join(dir, "sub", "acks.jsonl");
    const ledger = new AckLedger(file, "readings");
    ledger.open();
    ledger.record(batch(1), 3, 5000);
    ledger.close();
    const again = new AckLedger(file, "readings");
    again.open();
    again.record(batch(2), 3, 6000);
    again.close();
    expect(lines(file)).toEqual([
      {
        at: 5000,
        epoch: 1700000000000,
        seq: 1,
        n: 3,
        r: [
          ["dev-a", "p", 1001],
          ["dev-a", "t", 1001],
          ["dev-b", "q", 2001],
        ],
      },
      {
        at: 6000,
        epoch: 1700000000000,
        seq: 2,
        n: 3,
        r: [
          ["dev-a", "p", 1002],
          ["dev-a", "t", 1002],
          ["dev-b", "q", 2002],
        ],
      },
    ]);
  });

  it("writes an order-independent digest in digest mode", () => {
    const dir = mkdtempSync(join(tmpdir(), "ct-ledger-"));
    dirs.push(dir);
    const file = join(dir, "acks.jsonl");
    const ledger = new AckLedger(file, "digest");
    ledger.open();
    ledger.record(batch(7), 3, 1);
    ledger.close();
    const [line] = lines(file);
    expect(line?.r).toBeUndefined();
    expect(line?.sha256).toBe(
      digest([
        ["dev-b", "q", 2007],
        ["dev-a", "t", 1007],
        ["dev-a", "p", 1007],
      ]),
    );
  });

  it("reports a bad payload once and keeps going", () => {
    const dir = mkdtempSync(join(tmpdir(), "ct-ledger-"));
    dirs.push(dir);
    const errors: string[] = [];
    const ledger = new AckLedger(join(dir, "acks.jsonl"), "readings", (e) => errors.push(e.message));
    ledger.open();
    ledger.record("not json", 1, 1);
    ledger.record("{", 1, 1);
    ledger.record(batch(3), 3, 1);
    ledger.close();
    expect(errors).toHaveLength(1);
    expect(lines(join(dir, "acks.jsonl"))).toHaveLength(1);
  });
});
