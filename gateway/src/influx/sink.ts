/**
 * A time-series sink. Lifecycle: `start()` once, `write()` any number of times, `flush()` to
 * push what is buffered, `stop()` flushes and releases. `write()` is synchronous and must
 * never block or await: it formats and buffers; sending happens in the background in batches.
 *
 * Durability (docs/reliability.md, "Gateway ingest journal"): with the ingest journal, each
 * `write` names the journal record its readings came from (called once per record, also with
 * no readings when all were rejected or duplicate) and the sink commits its journal cursor
 * once those readings are durably written; `missed(record)` says a record will not come
 * through `write` (shed), so the sink must read it back from the journal. Lines refused
 * outright (non-retryable 4xx), and without a journal lines given up after retries or a full
 * send queue, go to `onWriteFailed` (dead letters) and are counted.
 */
import type { AcceptedReading } from "../ingest/validate";

export interface Sink {
  readonly name: string;
  start(): Promise<void>;
  write(readings: readonly AcceptedReading[], record?: number): void;
  missed(record: number): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Receives line-protocol lines a sink could not deliver. */
export type WriteFailedHandler = (sink: string, lines: readonly string[], error: Error) => void;
