/**
 * Runs polling drivers: fixed-rate schedule per device (missed ticks are skipped, never
 * queued), backoff while a device is down (so a dead unit stops costing the shared port its
 * timeout on every tick), health tracking and counters. Logs on health changes only.
 */
import type { Logger } from "pino";
import type { DeviceHealth } from "@citytwin/model";
import { LatencyWindow } from "../report/latency";
import { Backoff } from "../runtime/backoff";
import type { Clock } from "../runtime/clock";
import type { PollingDriver, StreamSink } from "./types";

export interface PollStats {
  polls: number;
  failures: number;
  readings: number;
  health: DeviceHealth;
  lastErrorCode?: string;
  /** Edge time of the last poll with health ok. */
  lastOkAt?: number;
  /** read() round trip over the last 64 polls, ms. */
  latencyMsP50?: number;
  latencyMsP95?: number;
}

/** Backoff while down: the next poll waits max(interval, backoff), capped at this. */
const MAX_DOWN_BACKOFF_MS = 30_000;

class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private readonly backoff: Backoff;
  readonly latency = new LatencyWindow();
  readonly stats: PollStats = { polls: 0, failures: 0, readings: 0, health: "unknown" };

  constructor(
    private readonly driver: PollingDriver,
    private readonly sink: StreamSink,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.backoff = new Backoff(driver.intervalMs, Math.max(driver.intervalMs, MAX_DOWN_BACKOFF_MS));
  }

  get deviceId(): string {
    return this.driver.deviceId;
  }

  start(): void {
    this.schedule(0);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, delay);
  }

  private async tick(): Promise<void> {
    const started = this.clock.now();
    try {
      if (this.stats.polls === 0) await this.driver.connect();
      const readAt = this.clock.now();
      const res = await this.driver.read();
      const doneAt = this.clock.now();
      this.latency.add(doneAt - readAt);
      if (res.health === "ok") this.stats.lastOkAt = doneAt;
      this.stats.polls++;
      this.stats.readings += res.readings.length;
      if (res.health !== "ok") this.stats.failures++;
      if (res.errorCode !== undefined) this.stats.lastErrorCode = res.errorCode;
      if (res.readings.length > 0) this.sink.readings(res.readings);
      this.setHealth(res.health, res.errorCode, res.errorMessage);
    } catch (err) {
      // Drivers should not throw; treat it as down without crashing the agent.
      this.stats.polls++;
      this.stats.failures++;
      this.setHealth("down", "DRIVER_ERROR", err instanceof Error ? err.message : String(err));
    }
    const interval = this.driver.intervalMs;
    let delay: number;
    if (this.stats.health === "down") {
      delay = Math.max(interval, this.backoff.next());
    } else {
      this.backoff.reset();
      const elapsed = this.clock.now() - started;
      delay = interval - (elapsed % interval);
    }
    this.schedule(delay);
  }

  private setHealth(health: DeviceHealth, code: string | undefined, message: string | undefined): void {
    if (health === this.stats.health) return;
    const prev = this.stats.health;
    this.stats.health = health;
    this.sink.health(this.driver.deviceId, health);
    const data = { deviceId: this.driver.deviceId, from: prev, to: health, code, err: message };
    if (health === "ok") this.logger.info(data, "device health changed");
    else this.logger.warn(data, "device health changed");
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
    await this.driver.close();
  }
}

export class PollRunner {
  private readonly loops: PollLoop[];

  constructor(drivers: readonly PollingDriver[], sink: StreamSink, logger: Logger, clock: Clock) {
    this.loops = drivers.map((d) => new PollLoop(d, sink, logger, clock));
  }

  start(): void {
    for (const l of this.loops) l.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((l) => l.stop()));
  }

  /** Per-device stats by device id. */
  stats(): Record<string, PollStats> {
    const out: Record<string, PollStats> = {};
    for (const l of this.loops) {
      const s: PollStats = { ...l.stats };
      const p50 = l.latency.percentile(50);
      const p95 = l.latency.percentile(95);
      if (p50 !== undefined) s.latencyMsP50 = p50;
      if (p95 !== undefined) s.latencyMsP95 = p95;
      out[l.deviceId] = s;
    }
    return out;
  }
}
