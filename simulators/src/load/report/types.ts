/** report.json: everything a load run measured (docs/load-testing.md, "Reading the report"). */
import type { Quantiles } from "../histogram";
import type { Machine } from "../machine";

/** One 1 s window, by time since the run's start. */
export interface SecondRow {
  t: number;
  /** Readings the schedule called for (less those of offline devices). */
  offered: number;
  /** Readings published (handed to MQTT); below offered when the in-flight window is full. */
  sent: number;
  /** Readings in PUBACKed batches. */
  acked: number;
  errors: number;
  disconnects: number;
  /** Readings not sent because their device was offline (injected fault). */
  suppressed: number;
  /** PUBACK round trip per batch, ms. */
  puback: Quantiles;
  /** Sensor ts → /live frame receipt, ms. */
  live: Quantiles;
  /** Per load worker: CPU % of one core, event-loop busy %. */
  workerCpu: number[];
  workerElu: number[];
  /** --spawn only: CPU % of the gateway and influxd processes. */
  gatewayCpu?: number;
  influxdCpu?: number;
}

export interface Verdict {
  name: string;
  /** null: not measured in this run. */
  ok: boolean | null;
  detail: string;
}

export interface IncidentLabel {
  id: string;
  type: string;
  target: string;
  startS: number;
  durationS: number;
  sensors: string[];
}

/** A spawned gateway's own counters after the drain (its /metrics; docs/load-testing.md). */
export interface GatewayCounters {
  /** Publishes held back by ingest backpressure (citytwin_ingest_backpressure_total). */
  held: number;
  /** Messages shed by a full ingest queue (citytwin_ingest_shed_total). */
  shed: number;
  /** Messages or readings rejected (citytwin_ingest_rejected_total). */
  rejected: number;
  /** Times an InfluxDB sink fell behind and caught up from the journal (citytwin_sink_catchup_total). */
  catchUps: number;
  /** Journal records re-read by those catch-ups (citytwin_journal_replayed_records_total). */
  replayed: number;
  /** Decode threads that failed and were replaced (citytwin_ingest_decode_thread_failures_total). */
  decodeFailures: number;
}

export interface LoadReport {
  command: string;
  startedAt: string;
  config: Record<string, unknown>;
  machine: Machine;
  city: {
    sensors: number;
    devices: number;
    assets: number;
    districts: number;
    agents: number;
    buildS: number;
    heapMiB: number;
  };
  incidents: IncidentLabel[];
  series: SecondRow[];
  totals: {
    seconds: number;
    offered: number;
    sent: number;
    acked: number;
    /** null when storage was not measured (no --spawn / --influx-url). */
    stored: number | null;
    /** acked − stored: must be 0. */
    missing: number | null;
    /** A spawned gateway's count of points it gave up (citytwin_influx_points_dropped_total). */
    gatewayDropped: number | null;
    /** Age of the oldest journal record not yet written to InfluxDB when the run ended, s. */
    journalLagS: number | null;
    /** null without --spawn. */
    gatewayCounters: GatewayCounters | null;
    errors: number;
    disconnects: number;
    suppressed: number;
    offeredPerS: number;
    ackedPerS: number;
    puback: Quantiles;
    live: Quantiles;
    workers: { worker: number; cpuMeanPct: number; cpuMaxPct: number; eluMaxPct: number }[];
    drainS: number | null;
  };
  verdicts: Verdict[];
  warnings: string[];
}
