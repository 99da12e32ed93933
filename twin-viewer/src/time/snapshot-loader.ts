/**
 * Fetches replay snapshots (`GET /api/replay?at=`) for a moving target instant, at most one
 * request per 250 ms (≤ 4/s) and one at a time; only the newest wanted instant is fetched after a
 * burst, so dragging the slider costs a few requests, not one per pixel.
 */
import { replaySnapshotSchema, type ReplaySnapshot } from "@citytwin/model";
import { apiGet } from "../core/api";

export const MIN_REQUEST_GAP_MS = 250;

export interface SnapshotHandlers {
  loaded(snapshot: ReplaySnapshot, requestedAt: number): void;
  failed(err: Error, requestedAt: number): void;
}

export class SnapshotLoader {
  private wanted: number | undefined;
  private inFlight = false;
  private lastStart = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly handlers: SnapshotHandlers) {}

  /** Asks for the state at `at` (ms); supersedes any instant not yet requested. */
  want(at: number): void {
    this.wanted = Math.round(at);
    this.pump();
  }

  /** Drops the wanted instant (back to live); a response in flight is still delivered. */
  cancel(): void {
    this.wanted = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    if (this.inFlight || this.timer !== undefined || this.wanted === undefined) return;
    const wait = this.lastStart + MIN_REQUEST_GAP_MS - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    const at = this.wanted;
    this.wanted = undefined;
    this.inFlight = true;
    this.lastStart = Date.now();
    apiGet(`api/replay?at=${at}`, replaySnapshotSchema)
      .then((snap) => this.handlers.loaded(snap, at))
      .catch((err: unknown) => this.handlers.failed(err as Error, at))
      .finally(() => {
        this.inFlight = false;
        this.pump();
      });
  }
}
