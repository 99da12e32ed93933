/**
 * The spawned gateway's own counters that a load report carries (report.json
 * `totals.gatewayCounters`, a line in report.md, a table in report.html), each with the
 * gateway metric it is read from; the bench's gateway host reads them by this list.
 */
import type { GatewayCounters } from "./types";

/** A spawned gateway's counters in report order: key, what it counts, the metric it comes from. */
export const GATEWAY_COUNTERS: readonly (readonly [keyof GatewayCounters, string, string])[] = [
  ["held", "publishes held by backpressure", "citytwin_ingest_backpressure_total"],
  ["shed", "messages shed by a full ingest queue", "citytwin_ingest_shed_total"],
  ["rejected", "rejected", "citytwin_ingest_rejected_total"],
  ["catchUps", "InfluxDB sink catch-ups from the journal", "citytwin_sink_catchup_total"],
  ["replayed", "journal records re-read by them", "citytwin_journal_replayed_records_total"],
  ["decodeFailures", "decode-thread failures", "citytwin_ingest_decode_thread_failures_total"],
];

/** The counters of a stats answer that carries them among other fields. */
export function pickCounters(stats: GatewayCounters): GatewayCounters {
  const { held, shed, rejected, catchUps, replayed, decodeFailures } = stats;
  return { held, shed, rejected, catchUps, replayed, decodeFailures };
}
