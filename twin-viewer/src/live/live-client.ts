/**
 * The `/live` WebSocket on the page's own origin (ws:// or wss:// by page protocol), with
 * reconnect and exponential backoff (0.5 s doubling to 15 s, ±20 % jitter; reset once open).
 * Lifecycle: the constructor only assigns; `start()` connects, `stop()` closes for good.
 */
import type { LiveMessage } from "@citytwin/model";
import { decodeFrame } from "./decode-frame";

export type ConnectionState = "connecting" | "live" | "reconnecting";

export interface LiveClientHandlers {
  message(msg: LiveMessage): void;
  state(state: ConnectionState): void;
  /** A connection closed before it opened (refused, e.g. 401, or unreachable); before the retry. */
  refused?(): void;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 15_000;

/** `/live` on the page's origin; with a token, `?token=` (browsers cannot set WebSocket headers). */
export function liveUrl(loc: Location = window.location, token?: string): string {
  const proto = loc.protocol === "https:" ? "wss:" : "ws:";
  const query = token === undefined ? "" : `?token=${encodeURIComponent(token)}`;
  return `${proto}//${loc.host}/live${query}`;
}

export class LiveClient {
  /** Frames and tuples that did not match the contract (dropped, never thrown). */
  rejectedFrames = 0;
  droppedReadings = 0;
  /** When the next connection attempt starts (ms, Date.now clock); undefined while none is planned. */
  retryAt: number | undefined;
  private ws: WebSocket | undefined;
  private backoffMs = MIN_BACKOFF_MS;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly handlers: LiveClientHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect("connecting");
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = undefined;
  }

  private connect(state: ConnectionState): void {
    this.handlers.state(state);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    let opened = false;
    this.retryAt = undefined;
    ws.onopen = () => {
      opened = true;
      this.backoffMs = MIN_BACKOFF_MS;
      this.handlers.state("live");
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data !== "string") return;
      const frame = decodeFrame(ev.data);
      if (!frame.ok) {
        this.rejectedFrames++;
        return;
      }
      this.droppedReadings += frame.dropped;
      this.handlers.message(frame.message);
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.stopped) return;
      this.ws = undefined;
      if (!opened) this.handlers.refused?.();
      if (this.stopped) return;
      const delay = this.backoffMs * (0.8 + Math.random() * 0.4);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      this.retryAt = Date.now() + delay;
      this.handlers.state("reconnecting");
      this.timer = setTimeout(() => this.connect("reconnecting"), delay);
    };
  }
}
