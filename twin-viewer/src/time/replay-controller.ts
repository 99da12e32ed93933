/**
 * Live or replay, without DOM. Seeking to an instant in the window (default the last 6 h) enters
 * replay: the snapshot at that instant is fetched (throttled, ./snapshot-loader.ts) and drawn by
 * the sensor layer, and `time` is emitted on the bus for charts and panels. Playing advances the
 * instant at 1×/10×/60×; reaching now, or `goLive`, returns to the live states.
 */
import type { ReplaySnapshot } from "@citytwin/model";
import type { AppContext, TimeMode } from "../core/app-context";
import { SnapshotLoader } from "./snapshot-loader";

export const REPLAY_WINDOW_MS = 6 * 3600_000;
export const SPEEDS = [1, 10, 60] as const;
export type Speed = (typeof SPEEDS)[number];
/** Play advances the instant on this tick (and asks for a snapshot at most this often). */
const PLAY_TICK_MS = 250;
/** Seeking this close to now counts as live. */
const LIVE_EDGE_MS = 1500;

export interface SnapshotInfo {
  at: number;
  source: ReplaySnapshot["source"];
  count: number;
}

export class ReplayController {
  private mode: TimeMode = { mode: "live" };
  playing = false;
  speed: Speed = 1;
  hotFrom: number | undefined;
  lastSnapshot: SnapshotInfo | undefined;
  error: string | undefined;
  /** The `/live` socket is open (false while connecting, reconnecting or denied). */
  connected = false;
  private readonly loader: SnapshotLoader;
  private playTimer: ReturnType<typeof setInterval> | undefined;

  /** Runs after every state change (the view re-reads the controller). */
  onChange: () => void = () => undefined;

  constructor(private readonly ctx: AppContext) {
    this.loader = new SnapshotLoader({
      loaded: (snap) => this.apply(snap),
      failed: (err) => {
        this.error = err.message;
        this.onChange();
      },
    });
    ctx.bus.on("connection", (state) => {
      this.connected = state === "live";
      this.onChange();
    });
  }

  /** Now on the gateway's clock. */
  now(): number {
    return Date.now() + this.ctx.clockSkewMs();
  }

  time(): TimeMode {
    return this.mode;
  }

  /** The instant the scene shows: the replay instant, or now. */
  shownAt(): number {
    return this.mode.mode === "replay" ? this.mode.at : this.now();
  }

  windowStart(): number {
    return this.now() - REPLAY_WINDOW_MS;
  }

  /** Shows the state at `at` (clamped to the window); at or near now returns to live. */
  seek(at: number): void {
    const now = this.now();
    const clamped = Math.min(Math.max(at, now - REPLAY_WINDOW_MS), now);
    if (clamped >= now - LIVE_EDGE_MS) {
      this.goLive();
      return;
    }
    const entering = this.mode.mode === "live";
    this.mode = { mode: "replay", at: clamped };
    this.loader.want(clamped);
    if (entering) this.ctx.bus.emit("time", this.mode);
    this.onChange();
  }

  step(deltaMs: number): void {
    this.seek(this.shownAt() + deltaMs);
  }

  goLive(): void {
    this.pause();
    this.loader.cancel();
    const was = this.mode.mode;
    this.mode = { mode: "live" };
    this.ctx.sensors.showLive(this.now());
    if (was === "replay") this.ctx.bus.emit("time", this.mode);
    this.onChange();
  }

  play(): void {
    if (this.mode.mode === "live" || this.playing) return;
    this.playing = true;
    this.playTimer = setInterval(() => this.step(this.speed * PLAY_TICK_MS), PLAY_TICK_MS);
    this.onChange();
  }

  pause(): void {
    if (this.playTimer !== undefined) clearInterval(this.playTimer);
    this.playTimer = undefined;
    if (!this.playing) return;
    this.playing = false;
    this.onChange();
  }

  setSpeed(speed: Speed): void {
    this.speed = speed;
    this.onChange();
  }

  private apply(snap: ReplaySnapshot): void {
    if (snap.hotFrom !== undefined) this.hotFrom = snap.hotFrom;
    this.error = undefined;
    if (this.mode.mode !== "replay") return; // back to live meanwhile
    this.ctx.sensors.showSnapshot(snap.readings, snap.at);
    this.lastSnapshot = { at: snap.at, source: snap.source, count: snap.readings.length };
    this.ctx.bus.emit("time", this.mode);
    this.onChange();
  }
}
