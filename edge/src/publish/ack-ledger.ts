/**
 * Ack ledger (opt-in, `publish.ackLedger`): an append-only JSON Lines file with one line per
 * batch the platform broker PUBACKed, written when the PUBACK arrives. It is the edge's own
 * record of what the platform acknowledged, for field engineers auditing delivery ("was the
 * 14:00–14:05 data of this gateway accepted?") and for the chaos suite's accounting
 * (test/chaos/). docs/edge-store-and-forward.md, "Ack ledger".
 *
 * Line: {"at":<ms, PUBACK received>,"epoch":…,"seq":…,"n":<readings>,"d":…}
 *   detail "readings": "r": [[deviceId, key, ts], …] — every reading of the batch;
 *   detail "digest":   "sha256": hex SHA-256 of the sorted "deviceId\tkey\tts\n" lines.
 * Each line is written with one write(2) on an O_APPEND descriptor, so a `kill -9` keeps every
 * line written so far (page cache); a power loss may cost the last lines (no fsync). A batch
 * PUBACKed again after a restart (its ack was not yet recorded in the queue state) gets a
 * second line with the same (epoch, seq): readers deduplicate by (epoch, seq).
 */
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { TelemetryBatch } from "@citytwin/model";

export type AckLedgerDetail = "readings" | "digest";

export interface AckLedgerLine {
  at: number;
  epoch: number;
  seq: number;
  n: number;
  r?: [string, string, number][];
  sha256?: string;
}

export class AckLedger {
  private fd: number | undefined;
  private failed = false;

  constructor(
    readonly file: string,
    private readonly detail: AckLedgerDetail,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  open(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    this.fd = openSync(this.file, "a", 0o640);
  }

  /** Records one PUBACKed batch from its payload (the TelemetryBatch JSON as sent). */
  record(payload: string, readings: number, at: number): void {
    if (this.fd === undefined) return;
    try {
      const batch = JSON.parse(payload) as TelemetryBatch;
      const r: [string, string, number][] = [];
      for (const [deviceId, entries] of Object.entries(batch.devices))
        for (const e of entries) for (const key of Object.keys(e.values)) r.push([deviceId, key, e.ts]);
      const line: AckLedgerLine = { at, epoch: batch.epoch, seq: batch.seq, n: readings };
      if (this.detail === "readings") line.r = r;
      else line.sha256 = digest(r);
      writeSync(this.fd, `${JSON.stringify(line)}\n`);
    } catch (err) {
      // An audit aid must never stop delivery; report the first failure only.
      if (!this.failed) this.onError(err as Error);
      this.failed = true;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** SHA-256 (hex) of the readings as sorted "deviceId\tkey\tts\n" lines. */
export function digest(readings: readonly (readonly [string, string, number])[]): string {
  const lines = readings.map(([d, k, ts]) => `${d}\t${k}\t${ts}\n`).sort();
  const h = createHash("sha256");
  for (const l of lines) h.update(l);
  return h.digest("hex");
}
