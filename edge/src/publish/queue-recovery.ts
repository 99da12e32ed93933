/**
 * DiskOutboundQueue recovery at open (docs/edge-store-and-forward.md, "Recovery at open"):
 * reads queue-state.json, scans every segment (truncating a torn tail), rebuilds the pending
 * index in seq order and records as "lost" every seq ≤ lastSeq that is neither settled nor
 * found intact, and every unsettled record of an older epoch.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GapMap, RangeSet, type SeqRange } from "./gap-map";
import type { QueueStats } from "./outbound-queue";
import { scanSegment } from "./segment-file";

export interface Segment {
  id: number;
  path: string;
  size: number;
  /** Records not yet settled. */
  live: number;
  flying: number;
}

export interface Rec {
  seq: number;
  readings: number;
  seg: Segment;
  offset: number;
  size: number;
}

export type Counters = Omit<QueueStats, "pending" | "inFlight" | "bytes">;

export interface StateFile {
  v: 1;
  epoch: number;
  settled: [number, number][];
  gaps: SeqRange[];
  counters: Counters;
}

export interface Recovered {
  settled: RangeSet;
  gapMap: GapMap;
  counters: Counters;
  segments: Segment[];
  /** Pending records, seq ascending. */
  waiting: Rec[];
  nextId: number;
  highestSeq: number;
}

export const STATE_FILE = "queue-state.json";
export const segName = (id: number) => `seg-${String(id).padStart(10, "0")}.log`;

export function recover(dir: string, epoch: number, lastSeq: number): Recovered {
  const st = readState(join(dir, STATE_FILE));
  const oldSettled = new RangeSet(st?.settled ?? []);
  const out: Recovered = {
    settled: st?.epoch === epoch ? oldSettled : new RangeSet(),
    gapMap: new GapMap(st?.gaps ?? []),
    counters: st?.counters ?? {
      evictedBatches: 0,
      evictedReadings: 0,
      evictedBytes: 0,
      lostBatches: 0,
      tornRecords: 0,
    },
    segments: [],
    waiting: [],
    nextId: 1,
    highestSeq: 0,
  };
  const lose = (e: number, from: number, to: number) => {
    out.gapMap.add(e, from, to, "lost");
    if (e === epoch) out.settled.addRange(from, to);
    out.counters.lostBatches += to - from + 1;
  };
  const ids = readdirSync(dir)
    .map((f) => /^seg-(\d{10})\.log$/.exec(f)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  out.nextId = (ids.at(-1) ?? 0) + 1;
  const found = new Set<number>();
  for (const id of ids) {
    const seg: Segment = { id, path: join(dir, segName(id)), size: 0, live: 0, flying: 0 };
    const scan = scanSegment(seg.path);
    out.counters.tornRecords += scan.torn;
    seg.size = scan.size;
    for (const r of scan.records) {
      if (r.epoch !== epoch) {
        // A previous stream (sequence state was lost): cannot be replayed under this epoch.
        if (!(st?.epoch === r.epoch && oldSettled.has(r.seq))) lose(r.epoch, r.seq, r.seq);
        continue;
      }
      if (out.settled.has(r.seq) || found.has(r.seq)) continue;
      found.add(r.seq);
      out.highestSeq = Math.max(out.highestSeq, r.seq);
      out.waiting.push({ seq: r.seq, readings: r.readings, seg, offset: r.offset, size: r.size });
      seg.live++;
    }
    out.segments.push(seg);
  }
  out.waiting.sort((a, b) => a.seq - b.seq);
  // No state file: a new queue; seqs before the oldest record are history, not a loss.
  if (st === undefined) {
    out.settled.addRange(1, Math.min(lastSeq, (out.waiting[0]?.seq ?? lastSeq + 1) - 1));
  }
  for (const [a, b] of out.settled.missing(lastSeq)) {
    // Neither settled nor intact on disk: lost (unsynced tail at power loss, or torn).
    let from = a;
    for (let s = a; s <= b + 1; s++) {
      if (s <= b && !found.has(s)) continue;
      if (s > from) lose(epoch, from, s - 1);
      from = s + 1;
    }
  }
  return out;
}

function readState(path: string): StateFile | undefined {
  try {
    const st = JSON.parse(readFileSync(path, "utf8")) as Partial<StateFile>;
    if (st.v !== 1 || typeof st.epoch !== "number" || !Array.isArray(st.settled)) return undefined;
    return st as StateFile;
  } catch {
    return undefined;
  }
}
