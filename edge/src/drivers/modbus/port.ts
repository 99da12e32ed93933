/**
 * One scheduler per physical port (serial path, or host:port), shared by every unit behind
 * it. A serial bus carries one transaction at a time [Serial Line v1.02 §2.1: single master,
 * one outstanding request], so transactions run strictly in series, each followed by the
 * port's inter-frame gap (3.5 character times on RTU, §2.5.1.1). Each transaction has its own
 * timeout and retries. A unit whose last transaction timed out backs off on its own: until its
 * backoff expires, its requests fail at once without touching the bus, so a dead unit costs
 * the bus one timeout per backoff period and never the live units' poll rate. The connection
 * opens lazily and reopens after failures with a capped port-level backoff.
 *
 * Half-open TCP connections (tcp, rtu-over-tcp): when the path silently stops carrying packets
 * (no FIN, no RST: a cable pulled between switches, a 4G modem losing its bearer) the socket
 * stays open and writes succeed locally for many minutes; only response timeouts show it. A
 * timed-out attempt therefore destroys the connection when
 *  - the connection has not delivered a single frame since it opened (a fresh connection into
 *    a dead path), or
 *  - it is the HALF_OPEN_TIMEOUTS-th timed-out attempt in a row with no frame from any unit in
 *    between (a dead unit behind a live gateway keeps the connection: other units answer);
 * and, when that connection was opened by an earlier transaction, the transaction gets one extra
 * attempt on a new connection (so the first poll after the path heals succeeds; a connection
 * the transaction opened itself gets none, so a dead path costs one timeout per transaction).
 * See docs/edge-modbus.md "Half-open connections".
 */
import type ModbusRTU from "modbus-serial";
import type { Logger } from "pino";
import { CityTwinError } from "@citytwin/model";
import type { PortSettings } from "../../modbus/port-settings";
import { Backoff } from "../../runtime/backoff";
import type { Clock } from "../../runtime/clock";
import { classify, describe, openClient, send, type Request, type TransactionResult } from "./transport";

export type { Request, TransactionResult } from "./transport";

export interface TransactionOptions {
  timeoutMs: number;
  /** Extra attempts after a timeout or corrupt frame. */
  retries: number;
  /** Per-unit backoff after a final timeout. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Commands: jump the poll queue and are tried even while the unit backs off. */
  urgent?: boolean;
}

export interface PortStats {
  transactions: number;
  exceptions: number;
  timeouts: number;
  corrupt: number;
  retries: number;
  ioErrors: number;
  connects: number;
  /** Requests failed at once because their unit was backing off. */
  skipped: number;
  /** TCP connections destroyed as half-open (silent timeouts, see the header). */
  halfOpenDrops: number;
}

/**
 * Runs after a job's request while the port is still held: its requests (through `run`, same
 * unit and options) follow with nothing else on the port in between (read-modify-write).
 */
export type FollowUp = (
  first: TransactionResult,
  run: (req: Request) => Promise<TransactionResult>,
) => Promise<TransactionResult>;

interface Job {
  unitId: number;
  req: Request;
  opts: TransactionOptions;
  followUp?: FollowUp | undefined;
  resolve: (v: TransactionResult) => void;
  reject: (e: unknown) => void;
}

interface UnitState {
  backoff: Backoff;
  until: number;
}

/** Consecutive silent timeouts after which an established TCP connection counts as half-open. */
export const HALF_OPEN_TIMEOUTS = 3;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.ceil(ms)));

export class ModbusPort {
  private client: ModbusRTU | undefined;
  private readonly queue: Job[] = [];
  private readonly units = new Map<number, UnitState>();
  private busy = false;
  private closed = false;
  private nextConnectAt = 0;
  private readonly connectBackoff = new Backoff(500, 10_000);
  readonly counters: PortStats = {
    transactions: 0,
    exceptions: 0,
    timeouts: 0,
    corrupt: 0,
    retries: 0,
    ioErrors: 0,
    connects: 0,
    skipped: 0,
    halfOpenDrops: 0,
  };
  /** The current connection has delivered at least one frame. */
  private answered = false;
  /** Timed-out attempts in a row on the current connection without any frame in between. */
  private silentTimeouts = 0;

  constructor(
    readonly settings: PortSettings,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly connectTimeoutMs = 3000,
  ) {}

  get key(): string {
    return this.settings.key;
  }

  /** Milliseconds until `unitId` may be polled again; 0 when it is not backing off. */
  backoffRemaining(unitId: number): number {
    const u = this.units.get(unitId);
    return u === undefined ? 0 : Math.max(0, u.until - this.clock.now());
  }

  /**
   * Runs one request for `unitId`. Rejects with CityTwinError MODBUS_EXCEPTION (message names
   * the exception code), MODBUS_TIMEOUT (also while the unit backs off), MODBUS_CORRUPT or MODBUS_IO.
   */
  transact(
    unitId: number,
    req: Request,
    opts: TransactionOptions,
    followUp?: FollowUp,
  ): Promise<TransactionResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new CityTwinError("MODBUS_IO", `${this.key}: port closed`));
      const job: Job = { unitId, req, opts, followUp, resolve, reject };
      if (opts.urgent === true) this.queue.unshift(job);
      else this.queue.push(job);
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let job = this.queue.shift(); job !== undefined; job = this.queue.shift()) {
        // Checked at dequeue: a timeout while this job waited puts its unit in backoff too.
        const wait = this.backoffRemaining(job.unitId);
        if (wait > 0 && job.opts.urgent !== true) {
          this.counters.skipped++;
          job.reject(
            new CityTwinError(
              "MODBUS_TIMEOUT",
              `${this.key} unit ${job.unitId}: skipped, backing off after a timeout (${wait} ms left)`,
            ),
          );
          continue;
        }
        try {
          const first = await this.run(job);
          job.resolve(job.followUp ? await job.followUp(first, (req) => this.run({ ...job, req })) : first);
        } catch (err) {
          job.reject(err);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async run(job: Job): Promise<TransactionResult> {
    const { unitId, req, opts } = job;
    const where = `${this.key} unit ${unitId}`;
    let last: unknown;
    let extra = false;
    for (let attempt = 0; attempt <= opts.retries; attempt++) {
      const before = this.client;
      const client = await this.ensureOpen(where);
      // Opened by an earlier transaction: if it turns out half-open, one more attempt on a new one.
      const inherited = client === before;
      if (attempt > 0 && !extra) this.counters.retries++;
      extra = false;
      client.setID(unitId);
      client.setTimeout(opts.timeoutMs);
      this.counters.transactions++;
      try {
        const data = await send(client, req);
        this.heard();
        this.units.get(unitId)?.backoff.reset();
        this.units.delete(unitId);
        return data;
      } catch (cause) {
        last = cause;
        const kind = classify(cause);
        if (kind === "exception" || kind === "corrupt") this.heard();
        if (kind === "exception") {
          this.counters.exceptions++;
          this.units.delete(unitId); // the unit answered: it is alive
          const code = (cause as { modbusCode: number }).modbusCode;
          throw new CityTwinError("MODBUS_EXCEPTION", `${where}: exception ${code} on ${describe(req)}`, {
            cause,
          });
        }
        if (kind === "io") {
          this.counters.ioErrors++;
          this.drop();
          throw new CityTwinError("MODBUS_IO", `${where}: ${(cause as Error).message}`, { cause });
        }
        if (kind === "timeout") {
          this.counters.timeouts++;
          if (this.halfOpen(client, where) && inherited) {
            extra = true;
            attempt--;
          }
        } else this.counters.corrupt++;
      } finally {
        if (this.settings.interFrameGapMs > 0) await sleep(this.settings.interFrameGapMs);
      }
    }
    if (classify(last) === "corrupt") {
      throw new CityTwinError("MODBUS_CORRUPT", `${where}: ${(last as Error).message} on ${describe(req)}`, {
        cause: last,
      });
    }
    this.backOff(unitId, opts);
    throw new CityTwinError("MODBUS_TIMEOUT", `${where}: no response within ${opts.timeoutMs} ms`, {
      cause: last,
    });
  }

  /** A frame arrived on the current connection: it is alive. */
  private heard(): void {
    this.answered = true;
    this.silentTimeouts = 0;
  }

  /** After a timeout on `client`: destroys it when it looks half-open (see the header). */
  private halfOpen(client: ModbusRTU, where: string): boolean {
    if (this.settings.transport === "rtu" || this.client !== client) return false;
    this.silentTimeouts++;
    if (this.answered && this.silentTimeouts < HALF_OPEN_TIMEOUTS) return false;
    this.counters.halfOpenDrops++;
    this.logger.warn(
      { port: this.key, silentTimeouts: this.silentTimeouts, answered: this.answered, where },
      "modbus connection silent, reconnecting (half-open)",
    );
    this.drop(true);
    return true;
  }

  private backOff(unitId: number, opts: TransactionOptions): void {
    let u = this.units.get(unitId);
    if (u === undefined) {
      u = { backoff: new Backoff(opts.backoffMs, Math.max(opts.backoffMs, opts.maxBackoffMs)), until: 0 };
      this.units.set(unitId, u);
    }
    u.until = this.clock.now() + u.backoff.next();
  }

  private async ensureOpen(where: string): Promise<ModbusRTU> {
    if (this.closed) throw new CityTwinError("MODBUS_IO", `${where}: port closed`);
    if (this.client?.isOpen === true) return this.client;
    if (this.clock.now() < this.nextConnectAt) {
      throw new CityTwinError("MODBUS_IO", `${where}: not connected (retry backoff)`);
    }
    this.drop();
    try {
      const client = await openClient(this.settings, this.connectTimeoutMs);
      client.on("close", () => {
        if (this.client !== client) return;
        this.client = undefined;
        if (!this.closed) this.logger.warn({ port: this.key }, "modbus port closed");
      });
      if (this.closed) {
        client.close(() => undefined);
        throw new CityTwinError("MODBUS_IO", `${where}: port closed`);
      }
      this.client = client;
      this.answered = false;
      this.silentTimeouts = 0;
      this.counters.connects++;
      this.connectBackoff.reset();
      this.logger.info({ port: this.key, transport: this.settings.transport }, "modbus port open");
      return client;
    } catch (err) {
      this.counters.ioErrors++;
      const delay = this.connectBackoff.next();
      this.nextConnectAt = this.clock.now() + delay;
      const failures = this.connectBackoff.failures;
      if (failures === 1 || failures % 20 === 0) {
        this.logger.warn(
          { port: this.key, retryInMs: delay, failures, err: (err as Error).message },
          "modbus open failed",
        );
      }
      throw err;
    }
  }

  /** `destroy`: no FIN handshake (a half-open peer would never answer it). */
  private drop(destroy = false): void {
    const c = this.client;
    this.client = undefined;
    if (c === undefined) return;
    try {
      if (destroy) c.destroy(() => undefined);
      else c.close(() => undefined);
    } catch {
      /* already closed */
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      job.reject(new CityTwinError("MODBUS_IO", `${this.key}: port closed`));
    this.drop();
  }
}
