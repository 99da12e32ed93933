/**
 * Catch-up reads for the sinks: journal records → line-protocol lines, through the same
 * parse and validation as live ingest (parseTelemetry, validateReadings) with the record's
 * `receivedAt` as "now", so time-window checks give the verdict they gave (or would have
 * given) live. Rejections are not reported again (live ingest reported them, or, after a
 * crash, they are counted only here as skipped). Duplicates (QoS 1 redeliveries) are written
 * again: InfluxDB overwrites a point with the same measurement, tags and timestamp, so
 * re-writing them is idempotent.
 */
import type { Logger } from "pino";
import { pointLine } from "../influx/line-protocol";
import type { DeviceRegistry } from "../ingest/registry";
import {
  parseTelemetry,
  validateReadings,
  type AcceptedReading,
  type IngestLimits,
} from "../ingest/validate";
import type { GatewayMetrics } from "../metrics";
import type { IngestJournal } from "./journal";

/** Lines of records `from` … `last`; undefined once `from` is past the journal's end. */
export type CatchUpSource = (from: number, maxLines: number) => { lines: string[]; last: number } | undefined;

export interface ReplayDeps {
  journal: IngestJournal;
  registry: DeviceRegistry;
  limits: IngestLimits;
  metrics: GatewayMetrics;
  logger: Logger;
}

export function catchUpSource(deps: ReplayDeps, sink: string): CatchUpSource {
  const { journal, registry, limits, metrics, logger } = deps;
  const accepted: AcceptedReading[] = [];
  return (start, maxLines) => {
    const from = Math.max(start, journal.firstNo);
    if (from > journal.lastNo) return undefined;
    const lines: string[] = [];
    let last = from - 1;
    while (lines.length < maxLines && last < journal.lastNo) {
      const recs = journal.read(last + 1);
      if (recs.length === 0) {
        // Unreadable on disk (changed after open): skipped, never sent half-read.
        logger.error({ sink, record: last + 1 }, "ingest journal record unreadable, skipped");
        last++;
        continue;
      }
      for (const rec of recs) {
        last = rec.no;
        const parsed = parseTelemetry(rec.payload, limits);
        if (!parsed.ok) continue;
        accepted.length = 0;
        validateReadings(parsed.batch, rec.gatewayId, registry, limits, rec.receivedAt, accepted, new Map());
        for (const r of accepted) lines.push(pointLine(r.sensor.series, r.value, r.quality, r.ts));
      }
      metrics.journalReplayed.inc({ sink }, recs.length);
    }
    return { lines, last };
  };
}
