/**
 * Gateway wiring of the ingest journal: opens it, rebuilds the per-gateway sequence trackers
 * from it (dedup across restarts), hands each sink its cursor and catch-up source (decoding
 * on the ingest decode threads when there are some), and
 * closes it at stop. Without sinks there is nothing to make durable, and without a directory
 * (`ingest.journal.dir` or `alarms.stateDir`) there is no journal: both are logged.
 */
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/load";
import type { SinkJournal } from "../influx/line-writer";
import type { DecodePool } from "../ingest/decode-pool";
import type { GatewayTracker } from "../ingest/gateway-tracker";
import type { DeviceRegistry } from "../ingest/registry";
import type { GatewayMetrics } from "../metrics";
import { IngestJournal } from "./journal";
import { catchUpSource } from "./replay";
import { rebuildSequences, saveSequences } from "./seq-state";

export interface JournalSetup {
  journal: IngestJournal;
  forSink(name: string): SinkJournal;
  /** After the sinks started: fsync and cursor timers. */
  start(): void;
  /** After the sinks stopped: persist cursors and sequence state, fsync, close. */
  close(): void;
}

export function setUpJournal(deps: {
  config: GatewayConfig;
  registry: DeviceRegistry;
  gateways: GatewayTracker;
  metrics: GatewayMetrics;
  logger: Logger;
  now: () => number;
  /** Decodes catch-up records off the event loop while ready (journal/replay.ts). */
  decodePool?: DecodePool;
}): JournalSetup | undefined {
  const { config, registry, gateways, metrics, now, decodePool } = deps;
  const logger = deps.logger.child({ part: "journal" });
  const { dir, ...opts } = config.ingest.journal;
  if (config.influx === undefined) return undefined;
  if (dir === undefined) {
    logger.warn(
      {},
      "no ingest journal (set alarms.stateDir or ingest.journal.dir): acknowledged telemetry waits in memory for InfluxDB and is lost if the gateway dies",
    );
    return undefined;
  }
  const journal = new IngestJournal({
    ...opts,
    dir,
    now,
    metrics,
    logger,
    beforeTrim: () => saveSequences(dir, gateways),
  });
  journal.open();
  const rebuilt = rebuildSequences(dir, journal, gateways);
  logger.info({ dir, first: journal.firstNo, last: journal.lastNo, rebuilt }, "ingest journal open");
  const limits = config.limits;
  return {
    journal,
    forSink: (name) => ({
      journal,
      cursor: journal.cursor(name),
      catchUp: catchUpSource({ journal, registry, limits, metrics, logger, decodePool }, name),
    }),
    start: () => journal.start(),
    close: () => {
      journal.close();
      saveSequences(dir, gateways);
    },
  };
}
