/**
 * Catch-up reads for the sinks: journal records → line-protocol lines, through the same
 * decode and validation as live ingest (decodeTelemetry) with the record's `receivedAt` as
 * "now", so time-window checks give the verdict they gave (or would have given) live.
 * Rejections are not reported again (live ingest reported them, or, after a crash, they are
 * counted only here as skipped). Duplicates (QoS 1 redeliveries) are written again: InfluxDB
 * overwrites a point with the same measurement, tags and timestamp, so re-writing them is
 * idempotent.
 *
 * With decode threads (`decodePool` ready) the records are read here, synchronously, and
 * decoded on a thread: the catch-up happens when the gateway is already behind, and
 * re-decoding on the event loop was a fifth of its CPU at peak (docs/profiling.md §7). Such
 * a batch is cut by payload bytes (an estimate of its lines); a thread that fails or stops
 * before answering leaves its records to be decoded here.
 */
import type { Logger } from "pino";
import { pointLine } from "../influx/line-protocol";
import { decodeTelemetry } from "../ingest/decode";
import type { DecodePool } from "../ingest/decode-pool";
import type { DeviceRegistry } from "../ingest/registry";
import type { AcceptedReading, IngestLimits } from "../ingest/validate";
import type { GatewayMetrics } from "../metrics";
import type { IngestJournal } from "./journal";
import type { JournalRecord } from "./record";

/** Records up to `last`, as lines (or their promise, when a decode thread makes them). */
export interface CatchUpBatch {
  lines: string[] | Promise<string[]>;
  last: number;
}

/** The batch of records `from` … `last`; undefined once `from` is past the journal's end. */
export type CatchUpSource = (from: number, maxLines: number) => CatchUpBatch | undefined;

/** Payload bytes per reading assumed when a thread-decoded batch is cut (a JSON reading ≈ 50 B). */
export const CATCH_UP_BYTES_PER_LINE = 40;

export interface ReplayDeps {
  journal: IngestJournal;
  registry: DeviceRegistry;
  limits: IngestLimits;
  metrics: GatewayMetrics;
  logger: Logger;
  decodePool?: DecodePool;
}

export function catchUpSource(deps: ReplayDeps, sink: string): CatchUpSource {
  const { journal, registry, limits, metrics, logger, decodePool } = deps;
  const accepted: AcceptedReading[] = [];

  /** Appends the lines of `recs`, decoded on the event loop. */
  const decodeHere = (recs: readonly JournalRecord[], lines: string[]): string[] => {
    for (const rec of recs) {
      decodeTelemetry(rec.payload, rec.gatewayId, registry, limits, rec.receivedAt, accepted);
      for (const r of accepted) lines.push(pointLine(r.sensor.series, r.value, r.quality, r.ts));
    }
    return lines;
  };

  const decodeOnThread = async (pool: DecodePool, recs: JournalRecord[]): Promise<string[]> => {
    const nows = Float64Array.from(recs, (r) => r.receivedAt);
    try {
      const run = await pool.decode(recs, nows);
      const lines: string[] = [];
      run.each((sensor, ts, value, quality) => lines.push(pointLine(sensor.series, value, quality, ts)));
      return lines;
    } catch {
      return decodeHere(recs, []); // the pool counted and logged the failure
    }
  };

  /** Reads records from `from` while `more(records so far, bytes so far)`; skips unreadable ones. */
  const readRecords = (from: number, more: (recs: JournalRecord[], bytes: number) => boolean) => {
    const recs: JournalRecord[] = [];
    let bytes = 0;
    let last = from - 1;
    while (last < journal.lastNo && more(recs, bytes)) {
      const read = journal.read(last + 1);
      if (read.length === 0) {
        // Unreadable on disk (changed after open): skipped, never sent half-read.
        logger.error({ sink, record: last + 1 }, "ingest journal record unreadable, skipped");
        last++;
        continue;
      }
      for (const rec of read) {
        recs.push(rec);
        bytes += rec.payload.length;
        last = rec.no;
      }
      metrics.journalReplayed.inc({ sink }, read.length);
    }
    return { recs, last };
  };

  return (start, maxLines) => {
    const from = Math.max(start, journal.firstNo);
    if (from > journal.lastNo) return undefined;
    if (decodePool?.ready === true) {
      const { recs, last } = readRecords(from, (_, bytes) => bytes < maxLines * CATCH_UP_BYTES_PER_LINE);
      return { lines: decodeOnThread(decodePool, recs), last };
    }
    const lines: string[] = [];
    let last = from - 1;
    while (lines.length < maxLines && last < journal.lastNo) {
      const read = readRecords(last + 1, (recs) => recs.length === 0);
      decodeHere(read.recs, lines);
      last = read.last;
    }
    return { lines, last };
  };
}
