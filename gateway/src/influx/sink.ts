/**
 * A time-series sink. Lifecycle: `start()` once, `write()` any number of times, `flush()` to
 * push what is buffered, `stop()` flushes and releases. `write()` is synchronous and must
 * never block or await: it formats and buffers; sending happens in the background in batches.
 * Lines a sink gives up on (after retries, or refused outright) go to `onWriteFailed`: the
 * seam for the durable spill (not built yet; today they are counted and dropped).
 */
import type { AcceptedReading } from "../ingest/validate";

export interface Sink {
  readonly name: string;
  start(): Promise<void>;
  write(readings: readonly AcceptedReading[]): void;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** Receives line-protocol lines a sink could not deliver. */
export type WriteFailedHandler = (sink: string, lines: readonly string[], error: Error) => void;
