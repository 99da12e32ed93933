/**
 * Live push to browsers over WebSocket at `/live` (LiveMessage, model/src/live.ts).
 *  - On connect: `hello`, then one `readings` frame with every sensor's latest value.
 *  - Every `tickMs`: one `readings` frame with the sensors changed since the client's last
 *    frame, coalesced to each sensor's latest value. The common frame is serialised once and
 *    sent to every client that is up to date.
 *  - Backpressure per client: when `ws.bufferedAmount` exceeds `maxBufferedBytes`, the
 *    client is skipped this tick (counted) and later gets one catch-up frame with everything
 *    that changed since its last frame. Ingest never waits for a client.
 *  - Gateway online/offline changes are sent at once as `gateway` frames.
 *  - Alarm frames (`alarms` snapshot on connect, then `alarm`, `incident`, `flood`) go only to
 *    clients whose `?token=` carries the viewer role or better (`canSeeAlarms`); readings
 *    stay public until issue 6 closes the read API.
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
  /** Whether the upgrade request may receive alarm frames (token check; always true in demo). */
  canSeeAlarms?: (req: IncomingMessage) => Promise<boolean>;
  /** The snapshot sent to an alarm-receiving client on connect. */
  alarmSnapshot?: () => Extract<LiveMessage, { type: "alarms" }>;
}

export type AlarmFrame = Extract<LiveMessage, { type: "alarm" | "incident" | "flood" }>;

interface LiveClient {
  ws: WebSocket;
  alarms: boolean;
  /** Tick number of the last frame this client received. */
  lastTick: number;
}

export class LiveHub implements IngestListener {
  private wss: WebSocketServer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly clients = new Set<LiveClient>();
  /** Tick in which each sensor last changed (0 = never). */
  private readonly changedTick: Uint32Array;
  private dirty: number[] = [];
  private tick = 1;

  constructor(private readonly opts: LiveHubOptions) {
    this.changedTick = new Uint32Array(opts.registry.sensors.length);
  }

  async start(): Promise<void> {
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
    this.timer = setInterval(() => this.onTick(), this.opts.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
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
    const check = this.opts.canSeeAlarms ?? (() => Promise.resolve(false));
    check(req).then(
      (alarms) => wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, alarms)),
      () => socket.destroy(),
    );
  }

  /** Sends an alarm, incident or flood frame to every alarm-receiving client at once. */
  pushAlarm(frame: AlarmFrame): void {
    let text: string | undefined;
    for (const c of this.clients) {
      if (!c.alarms || c.ws.readyState !== c.ws.OPEN) continue;
      text ??= JSON.stringify(frame);
      c.ws.send(text);
    }
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
  }

  onGatewayState(gatewayId: string, state: "online" | "offline", ts: number): void {
    const msg: LiveMessage = { type: "gateway", gatewayId, state, ts };
    const text = JSON.stringify(msg);
    for (const c of this.clients) c.ws.send(text);
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
    if (this.clients.size === 0) return;
    let common: string | undefined;
    for (const c of this.clients) {
      if (c.ws.readyState !== c.ws.OPEN) continue;
      if (c.ws.bufferedAmount > this.opts.maxBufferedBytes) {
        this.opts.metrics.liveSkipped.inc();
        continue;
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
