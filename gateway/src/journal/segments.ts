/**
 * The ingest journal's segment files: `seg-<first record no, 16 digits>.log` under the
 * journal directory, each an append-only run of consecutive records. This module opens and
 * indexes them (offset and receivedAt per record) and reads records back.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parseFrames, readBytes, scanFrames } from "@citytwin/model/node";
import { LIMITS, decodeJournalRecord, type JournalRecord } from "./record";

export interface Segment {
  first: number;
  path: string;
  size: number;
  /** Per record, in order: offset in the file and receivedAt. */
  offsets: number[];
  times: number[];
}

export const segmentName = (first: number) => `seg-${String(first).padStart(16, "0")}.log`;

export function segmentEnd(seg: Segment): number {
  return seg.first + seg.offsets.length;
}

/** Opens every segment in record order; torn tails are truncated and counted. */
export function openSegments(dir: string): { segments: Segment[]; torn: number } {
  const firsts = readdirSync(dir)
    .map((f) => /^seg-(\d{16})\.log$/.exec(f)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  let torn = 0;
  const segments: Segment[] = [];
  for (const first of firsts) {
    const seg: Segment = { first, path: join(dir, segmentName(first)), size: 0, offsets: [], times: [] };
    const scan = scanFrames(seg.path, LIMITS, (body, offset) => {
      seg.offsets.push(offset);
      seg.times.push(body.readDoubleBE(8));
    });
    seg.size = scan.size;
    torn += scan.torn;
    segments.push(seg);
  }
  return { segments, torn };
}

/**
 * Records `from`, `from+1`, … of one segment, about `maxBytes` of them (at least one);
 * stops at the first unreadable record (its bytes changed on disk after open).
 */
export function readSegment(seg: Segment, from: number, maxBytes: number): JournalRecord[] {
  const i = from - seg.first;
  const start = seg.offsets[i];
  if (start === undefined) return [];
  let j = i + 1;
  while (j < seg.offsets.length && (seg.offsets[j] as number) - start < maxBytes) j++;
  const end = seg.offsets[j] ?? seg.size;
  const out: JournalRecord[] = [];
  parseFrames(readBytes(seg.path, start, end - start), LIMITS, (body) => out.push(decodeJournalRecord(body)));
  return out;
}
