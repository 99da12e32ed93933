/**
 * Live push to browsers over WebSocket at `/live` (LiveMessage, model/src/live.ts).
 *  - On connect: `hello`, then one `readings` frame with every sensor's latest value.
 *  - A `readings` frame with the sensors changed since the client's last frame, coalesced to
 *    each sensor's latest value, goes out as soon as a reading arrives but at most once per
 *    `tickMs` (a leading-edge throttle: an idle hub pushes at once, a busy one every tickMs).
 *    The common frame is serialised once and sent to every client that is up to date.
 *  - Backpressure per client: when `ws.bufferedAmount` exceeds `maxBufferedBytes`, the
 *    client is skipped this tick (counted) and later gets one catch-up frame with everything
 *    that changed since its last frame. Ingest never waits for a client.
 *    `gateway` frames are coalesced the same way: a client above the bound is skipped (counted)
 *    and later gets each changed gateway's latest state. Alarm frames (events, which cannot be
 *    coalesced) are not queued beyond the bound either: a client above it is terminated
 *    (counted in `citytwin_live_slow_closed_total`) and gets a fresh snapshot when it
 *    reconnects. So a client that stops reading costs at most `maxBufferedBytes` plus a frame.
 *  - Gateway online/offline changes are sent at once as `gateway` frames.
 *  - Admission (`admit`, docs/security.md): in secure mode the upgrade needs a token with the
 *    viewer role or better (`?token=`, or `Authorization: Bearer` where the client can set
 *    headers); without one the upgrade is answered 401, below the role 403, before any frame.
 *    Alarm frames (`alarms` snapshot on connect, then `alarm`, `incident`, `flood`) go only to
 *    admitted clients with `alarms: true` (a token holder; everyone in demo mode).
 * Ingest marks sensors dirty in O(1) per reading (`onReadings`).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import { WIRE_VERSION, type LiveMessage, type LiveReading } from "@citytwin/model";
import type { HotStore } from "../hot-store/hot-store";
import type { IngestListener } from "../ingest/pipeline";
import type { DeviceRegistry } from "../ingest/registry";
import type { AcceptedReading } from "../ingest/validate";
import type { GatewayMetrics } from "../metrics";

export interface LiveHubOptions {
  tickMs: number;
  maxBufferedBytes: number;
  registry: DeviceRegistry;
  hotStore: HotStore;
  metrics: GatewayMetrics;
  logger: Logger;
  now: () => number;
  /** Admits an upgrade request (token check) and says whether it gets alarm frames; absent: all
   * are admitted without alarms. */
  admit?: (req: IncomingMessage) => Promise<LiveAdmission>;
  /** The snapshot sent to an alarm-receiving client on connect. */
  alarmSnapshot?: () => Extract<LiveMessage, { type: "alarms" }>;
}

export type LiveAdmission =
  | { ok: true; alarms: boolean }
  | { ok: false; status: 401 | 403 | 429; code: string; message: string; retryAfterS?: number };

export type AlarmFrame = Extract<LiveMessage, { type: "alarm" | "incident" | "flood" }>;

interface LiveClient {
  ws: WebSocket;
  alarms: boolean;
  /** Tick number of the last frame this client received. */
  lastTick: number;
  /** Gateways whose state frame this client missed while over the bound. */
  gatewaysBehind?: Set<string>;
}

export class LiveHub implements IngestListener {
  private wss: WebSocketServer | undefined;
  /** Pending flush; flushes are scheduled only between start() and stop(). */
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastFlushAt = -Infinity;
  private readonly clients = new Set<LiveClient>();
  /** Tick in which each sensor last changed (0 = never). */
  private readonly changedTick: Uint32Array;
  private dirty: number[] = [];
  private tick = 1;
  /** Latest `gateway` frame per gateway, for clients that missed one while over the bound. */
  private readonly gatewayFrames = new Map<string, string>();

  constructor(private readonly opts: LiveHubOptions) {
    this.changedTick = new Uint32Array(opts.registry.sensors.length);
  }

  async start(): Promise<void> {
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const c of this.clients) c.ws.close(1001, "server stopping");
    const wss = this.wss;
    this.wss = undefined;
    if (wss !== undefined) {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    }
    this.clients.clear();
    this.opts.metrics.liveClients.set(0);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const wss = this.wss;
    if (wss === undefined) {
      socket.destroy();
      return;
    }
    const admit = this.opts.admit ?? (() => Promise.resolve<LiveAdmission>({ ok: true, alarms: false }));
    admit(req).then(
      (verdict) => {
        if (verdict.ok) wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, verdict.alarms));
        else refuseUpgrade(socket, verdict);
      },
      () => socket.destroy(),
    );
  }

  /** Sends an alarm, incident or flood frame to every alarm-receiving client at once. */
  pushAlarm(frame: AlarmFrame): void {
    let text: string | undefined;
    for (const c of this.clients) {
      if (!c.alarms || c.ws.readyState !== c.ws.OPEN) continue;
      text ??= JSON.stringify(frame);
      this.sendOrClose(c, text);
    }
  }

  /** An alarm frame (cannot be coalesced): sent, or the client is closed if it is over the bound. */
  private sendOrClose(c: LiveClient, text: string): void {
    if (c.ws.bufferedAmount <= this.opts.maxBufferedBytes) {
      c.ws.send(text);
      return;
    }
    this.opts.metrics.liveSlowClosed.inc();
    this.opts.logger.warn(
      { bufferedAmount: c.ws.bufferedAmount, bound: this.opts.maxBufferedBytes },
      "live client too slow, closed",
    );
    this.clients.delete(c);
    this.opts.metrics.liveClients.set(this.clients.size);
    c.ws.terminate(); // a close frame would queue behind the unread bytes
  }

  onReadings(readings: readonly AcceptedReading[]): void {
    const tick = this.tick;
    const changed = this.changedTick;
    for (const r of readings) {
      const i = r.sensor.index;
      if (changed[i] !== tick) {
        changed[i] = tick;
        this.dirty.push(i);
      }
    }
    if (this.dirty.length > 0) this.schedule();
  }

  /** Flushes at once if the last flush is tickMs old, else when it will be. */
  private schedule(): void {
    if (!this.running || this.timer !== undefined) return;
    const wait = Math.max(0, this.lastFlushAt + this.opts.tickMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onTick();
    }, wait);
    this.timer.unref();
  }

  onGatewayState(gatewayId: string, state: "online" | "offline", ts: number): void {
    const msg: LiveMessage = { type: "gateway", gatewayId, state, ts };
    const text = JSON.stringify(msg);
    this.gatewayFrames.set(gatewayId, text);
    for (const c of this.clients) {
      if (c.ws.readyState !== c.ws.OPEN) continue;
      if (c.ws.bufferedAmount > this.opts.maxBufferedBytes) {
        this.opts.metrics.liveSkipped.inc();
        (c.gatewaysBehind ??= new Set()).add(gatewayId);
        this.schedule();
      } else c.ws.send(text);
    }
  }

  private attach(ws: WebSocket, alarms: boolean): void {
    const client: LiveClient = { ws, alarms, lastTick: this.tick - 1 };
    this.clients.add(client);
    this.opts.metrics.liveClients.set(this.clients.size);
    ws.on("close", () => {
      this.clients.delete(client);
      this.opts.metrics.liveClients.set(this.clients.size);
    });
    ws.on("error", () => ws.terminate());
    const hello: LiveMessage = {
      type: "hello",
      v: WIRE_VERSION,
      serverTime: this.opts.now(),
      sensors: this.opts.registry.sensors.length,
    };
    ws.send(JSON.stringify(hello));
    const all: number[] = [];
    for (let i = 0; i < this.opts.registry.sensors.length; i++)
      if (this.opts.hotStore.size(i) > 0) all.push(i);
    if (all.length > 0) ws.send(this.frame(all));
    const snapshot = this.opts.alarmSnapshot;
    if (alarms && snapshot !== undefined) ws.send(JSON.stringify(snapshot()));
  }

  private frame(indices: readonly number[]): string {
    const r: LiveReading[] = [];
    const sensors = this.opts.registry.sensors;
    for (const i of indices) {
      const latest = this.opts.hotStore.latest(i);
      const s = sensors[i];
      if (latest === undefined || s === undefined) continue;
      r.push([s.sensorId, latest.ts, latest.value, latest.quality, latest.level]);
    }
    const msg: LiveMessage = { type: "readings", r };
    return JSON.stringify(msg);
  }

  private onTick(): void {
    const tick = this.tick;
    const dirty = this.dirty;
    this.tick++;
    this.dirty = [];
    this.lastFlushAt = performance.now();
    if (this.clients.size === 0) return;
    let common: string | undefined;
    for (const c of this.clients) {
      if (c.ws.readyState !== c.ws.OPEN) continue;
      if (c.ws.bufferedAmount > this.opts.maxBufferedBytes) {
        this.opts.metrics.liveSkipped.inc();
        this.schedule(); // try its catch-up again after tickMs
        continue;
      }
      if (c.gatewaysBehind !== undefined) {
        for (const id of c.gatewaysBehind) {
          const frame = this.gatewayFrames.get(id);
          if (frame !== undefined) c.ws.send(frame);
        }
        c.gatewaysBehind = undefined;
      }
      if (c.lastTick === tick - 1) {
        if (dirty.length > 0) {
          common ??= this.frame(dirty);
          c.ws.send(common);
        }
      } else {
        const since = c.lastTick;
        const catchUp: number[] = [];
        for (let i = 0; i < this.changedTick.length; i++)
          if ((this.changedTick[i] ?? 0) > since) catchUp.push(i);
        if (catchUp.length > 0) c.ws.send(this.frame(catchUp));
      }
      c.lastTick = tick;
    }
  }
}

/** Answers a WebSocket upgrade with a plain HTTP error (the API's error shape) and closes. */
function refuseUpgrade(socket: Duplex, verdict: Extract<LiveAdmission, { ok: false }>): void {
  const { status, code, message, retryAfterS } = verdict;
  const body = JSON.stringify({ error: { code, message } });
  const reason = { 401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests" }[status];
  let extra = status === 401 ? 'www-authenticate: Bearer realm="citytwin"\r\n' : "";
  if (retryAfterS !== undefined) extra += `retry-after: ${retryAfterS}\r\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n${extra}content-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
