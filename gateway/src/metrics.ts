/**
 * The gateway's Prometheus metrics, on a registry of its own (not prom-client's global one),
 * so several gateways can live in one process (tests). Served at GET /metrics.
 */
import { REJECT_REASON_CODES } from "@citytwin/model";
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly readingsAccepted = new Counter({
    name: "citytwin_ingest_readings_total",
    help: "Readings accepted into the hot store and sinks",
    registers: [this.registry],
  });
  readonly batchesAccepted = new Counter({
    name: "citytwin_ingest_batches_total",
    help: "Telemetry batches that passed decoding (some readings may still be rejected)",
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: "citytwin_ingest_rejected_total",
    help: "Rejected messages or readings, by reason (readings count one each; whole messages count one)",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly seqGaps = new Counter({
    name: "citytwin_ingest_seq_gaps_total",
    help: "Sequence gaps detected between telemetry batches",
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "citytwin_ingest_queue_depth",
    help: "Messages waiting for the ingest worker",
    registers: [this.registry],
  });
  readonly queuePaused = new Counter({
    name: "citytwin_ingest_backpressure_total",
    help: "Publishes whose completion was held because the ingest queue was above its high-water mark",
    registers: [this.registry],
  });
  readonly decodeThreadFailures = new Counter({
    name: "citytwin_ingest_decode_thread_failures_total",
    help: "Decode threads that failed; their messages were decoded on the event loop and the thread replaced",
    registers: [this.registry],
  });
  readonly queueShed = new Counter({
    name: "citytwin_ingest_shed_total",
    help: "Messages dropped because the ingest queue was at its hard bound",
    registers: [this.registry],
  });
  readonly influxPoints = new Counter({
    name: "citytwin_influx_points_written_total",
    help: "Points written to InfluxDB, by sink",
    labelNames: ["sink"] as const,
    registers: [this.registry],
  });
  readonly influxFailures = new Counter({
    name: "citytwin_influx_write_failures_total",
    help: "Failed InfluxDB write attempts, by sink",
    labelNames: ["sink"] as const,
    registers: [this.registry],
  });
  readonly influxDropped = new Counter({
    name: "citytwin_influx_points_dropped_total",
    help: "Points given up without the ingest journal (retries exhausted, send queue full), by sink",
    labelNames: ["sink"] as const,
    registers: [this.registry],
  });
  readonly influxDeadLettered = new Counter({
    name: "citytwin_influx_points_dead_lettered_total",
    help: "Points InfluxDB refused outright (non-retryable 4xx), dead-lettered, by sink",
    labelNames: ["sink"] as const,
    registers: [this.registry],
  });
  readonly commandRequestsRejected = new Counter({
    name: "citytwin_command_requests_rejected_total",
    help: "Command requests refused before reaching an edge (unknown command or gateway, bad body), by error code",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });
  readonly sinkCatchUps = new Counter({
    name: "citytwin_sink_catchup_total",
    help: "Times a sink dropped its in-memory backlog and caught up from the ingest journal, by sink",
    labelNames: ["sink"] as const,
    registers: [this.registry],
  });
  readonly journalReplayed = new Counter({
    name: "citytwin_journal_replayed_records_total",
    help: "Ingest journal records re-read by a sink's catch-up, by sink",
    labelNames: ["sink"] as const,
    registers: [this.registry],
  });
  readonly journalRefused = new Counter({
    name: "citytwin_journal_refused_total",
    help: "Telemetry publishes refused without PUBACK because the ingest journal was full",
    registers: [this.registry],
  });
  readonly journalTorn = new Counter({
    name: "citytwin_journal_torn_total",
    help: "Torn ingest journal tails cut at open",
    registers: [this.registry],
  });
  readonly journalBytes = new Gauge({
    name: "citytwin_journal_bytes",
    help: "Bytes retained in the ingest journal",
    registers: [this.registry],
  });
  readonly journalRecords = new Gauge({
    name: "citytwin_journal_records",
    help: "Records retained in the ingest journal",
    registers: [this.registry],
  });
  readonly journalOldestAge = new Gauge({
    name: "citytwin_journal_oldest_unwritten_seconds",
    help: "Age of the oldest journal record some sink has not durably written yet (0 when none)",
    registers: [this.registry],
  });
  readonly liveClients = new Gauge({
    name: "citytwin_live_clients",
    help: "Connected /live WebSocket clients",
    registers: [this.registry],
  });
  readonly liveSkipped = new Counter({
    name: "citytwin_live_skipped_total",
    help: "Live frames skipped for a slow client (bufferedAmount above bound)",
    registers: [this.registry],
  });
  readonly liveSlowClosed = new Counter({
    name: "citytwin_live_slow_closed_total",
    help: "Live clients closed because a frame that cannot be coalesced (gateway state, alarm) found their bufferedAmount above bound",
    registers: [this.registry],
  });
  readonly mqttClients = new Gauge({
    name: "citytwin_mqtt_clients",
    help: "Connected MQTT clients",
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: "citytwin_mqtt_auth_failures_total",
    help: "Refused MQTT connections, by reason",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: "citytwin_mqtt_rate_limited_total",
    help: "MQTT connections refused or publishes paused by a rate limit, by kind (connect, auth, message)",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });
  readonly httpRateLimited = new Counter({
    name: "citytwin_http_rate_limited_total",
    help: "HTTP requests answered 429 because their source IP spent its auth-failure budget",
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    for (const reason of REJECT_REASON_CODES) this.rejected.inc({ reason }, 0);
    for (const kind of ["connect", "auth", "message"]) this.rateLimited.inc({ kind }, 0);
    if (opts.defaultMetrics === true) collectDefaultMetrics({ register: this.registry });
  }
}
