/**
 * Dedup across restarts: the per-gateway SequenceTrackers are saved to `seq-state.json` in
 * the journal directory before journal segments are deleted and at stop, and rebuilt at start
 * from that file plus every retained journal record. Every record the trackers ever observed
 * is either retained or older than the saved state, so a QoS 1 redelivery after a restart is
 * recognised as a duplicate and gap counts carry on. (A record shed by a full ingest queue
 * was never observed; its redelivery counts as new and is rewritten idempotently.)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@citytwin/model/node";
import type { GatewayTracker } from "../ingest/gateway-tracker";
import { SequenceTracker, type SequenceJSON } from "../ingest/sequence";
import type { IngestJournal } from "./journal";
import { batchId } from "./record";

const FILE = "seq-state.json";

export function saveSequences(dir: string, gateways: GatewayTracker): void {
  const out: Record<string, SequenceJSON> = {};
  for (const g of gateways.all()) out[g.id] = g.seq.toJSON();
  writeFileAtomic(join(dir, FILE), JSON.stringify({ v: 1, gateways: out }));
}

/** Restores the saved trackers, then observes every retained record; returns the records read. */
export function rebuildSequences(dir: string, journal: IngestJournal, gateways: GatewayTracker): number {
  let saved: { v?: number; gateways?: Record<string, SequenceJSON> } = {};
  try {
    saved = JSON.parse(readFileSync(join(dir, FILE), "utf8")) as typeof saved;
  } catch {
    // none yet
  }
  if (saved.v === 1)
    for (const [id, json] of Object.entries(saved.gateways ?? {}))
      gateways.get(id).seq = SequenceTracker.from(json);
  let n = 0;
  for (let no = journal.firstNo; no <= journal.lastNo;) {
    const recs = journal.read(no, 4 * 1024 * 1024);
    if (recs.length === 0) {
      no++;
      continue;
    }
    for (const rec of recs) {
      const id = batchId(rec);
      if (id !== undefined) gateways.get(rec.gatewayId).seq.observe(id.epoch, id.seq);
      no = rec.no + 1;
      n++;
    }
  }
  return n;
}
