/**
 * One Modbus TCP connection per host:port with one serialised transaction queue, shared by
 * every unit id behind it (a gateway or simulator port hosting many slaves). Transactions run
 * strictly one at a time, each with its own unit id and timeout, so a dead unit costs at most
 * its timeout per poll and never blocks the others. The connection opens lazily and, after a
 * failure or close, reopens with capped exponential backoff.
 * [Modbus Messaging on TCP/IP v1.0b §4.1: MBAP unit identifier addresses the slave behind a gateway]
 */
import ModbusRTU from "modbus-serial";
import type { Logger } from "pino";
import { CityTwinError } from "@citytwin/model";
import { Backoff } from "../../runtime/backoff";
import type { Clock } from "../../runtime/clock";

export type TransactionResult = number[] | boolean[];

interface Job {
  run: () => Promise<TransactionResult>;
  resolve: (v: TransactionResult) => void;
  reject: (e: unknown) => void;
}

export interface PortStats {
  transactions: number;
  exceptions: number;
  timeouts: number;
  ioErrors: number;
  connects: number;
}

export class ModbusTcpPort {
  private client: ModbusRTU | undefined;
  private connecting: Promise<void> | undefined;
  private readonly queue: Job[] = [];
  private busy = false;
  private closed = false;
  private nextConnectAt = 0;
  private readonly backoff = new Backoff(500, 10_000);
  readonly counters: PortStats = { transactions: 0, exceptions: 0, timeouts: 0, ioErrors: 0, connects: 0 };

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly connectTimeoutMs = 3000,
  ) {}

  /**
   * Reads `count` registers/bits with function code `fc` from `unitId`.
   * Rejects with CityTwinError MODBUS_EXCEPTION (message carries the exception code),
   * MODBUS_TIMEOUT or MODBUS_IO.
   */
  read(
    unitId: number,
    fc: 1 | 2 | 3 | 4,
    start: number,
    count: number,
    timeoutMs: number,
  ): Promise<TransactionResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ run: () => this.transact(unitId, fc, start, count, timeoutMs), resolve, reject });
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let job = this.queue.shift(); job !== undefined; job = this.queue.shift()) {
        try {
          job.resolve(await job.run());
        } catch (err) {
          job.reject(err);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async transact(
    unitId: number,
    fc: 1 | 2 | 3 | 4,
    start: number,
    count: number,
    timeoutMs: number,
  ): Promise<TransactionResult> {
    const where = `${this.host}:${this.port} unit ${unitId}`;
    const client = await this.ensureOpen(where);
    client.setID(unitId);
    client.setTimeout(timeoutMs);
    this.counters.transactions++;
    try {
      switch (fc) {
        case 1:
          return (await client.readCoils(start, count)).data.slice(0, count);
        case 2:
          return (await client.readDiscreteInputs(start, count)).data.slice(0, count);
        case 3:
          return (await client.readHoldingRegisters(start, count)).data;
        case 4:
          return (await client.readInputRegisters(start, count)).data;
      }
    } catch (cause) {
      const e = cause as { modbusCode?: number; errno?: string; message?: string };
      if (typeof e.modbusCode === "number") {
        this.counters.exceptions++;
        throw new CityTwinError(
          "MODBUS_EXCEPTION",
          `${where}: exception ${e.modbusCode} on FC${fc} ${start}+${count}`,
          {
            cause,
          },
        );
      }
      if (e.errno === "ETIMEDOUT" || /timed out/i.test(e.message ?? "")) {
        this.counters.timeouts++;
        throw new CityTwinError("MODBUS_TIMEOUT", `${where}: no response within ${timeoutMs} ms`, { cause });
      }
      this.counters.ioErrors++;
      this.drop();
      throw new CityTwinError("MODBUS_IO", `${where}: ${e.message ?? "I/O error"}`, { cause });
    }
  }

  private async ensureOpen(where: string): Promise<ModbusRTU> {
    if (this.closed) throw new CityTwinError("MODBUS_IO", `${where}: port closed`);
    if (this.client?.isOpen === true) return this.client;
    if (this.clock.now() < this.nextConnectAt) {
      throw new CityTwinError("MODBUS_IO", `${where}: not connected (retry backoff)`);
    }
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    await this.connecting;
    const client = this.current();
    if (client === undefined) throw new CityTwinError("MODBUS_IO", `${where}: not connected`);
    return client;
  }

  private current(): ModbusRTU | undefined {
    return this.client?.isOpen === true ? this.client : undefined;
  }

  private async open(): Promise<void> {
    this.drop();
    const client = new ModbusRTU();
    client.on("error", () => {
      /* surfaced through the failing transaction */
    });
    client.on("close", () => {
      if (this.client === client) {
        this.client = undefined;
        if (!this.closed) this.logger.warn({ host: this.host, port: this.port }, "modbus connection closed");
      }
    });
    try {
      await client.connectTCP(this.host, { port: this.port, timeout: this.connectTimeoutMs });
      this.client = client;
      this.counters.connects++;
      this.backoff.reset();
      this.logger.info({ host: this.host, port: this.port }, "modbus connected");
    } catch (cause) {
      this.counters.ioErrors++;
      const delay = this.backoff.next();
      this.nextConnectAt = this.clock.now() + delay;
      if (this.backoff.failures === 1 || this.backoff.failures % 20 === 0) {
        this.logger.warn(
          {
            host: this.host,
            port: this.port,
            retryInMs: delay,
            failures: this.backoff.failures,
            err: (cause as Error).message,
          },
          "modbus connect failed",
        );
      }
      try {
        client.close(() => undefined);
      } catch {
        /* already closed */
      }
      throw new CityTwinError(
        "MODBUS_IO",
        `${this.host}:${this.port}: connect failed: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }

  private drop(): void {
    const c = this.client;
    this.client = undefined;
    if (c !== undefined) {
      try {
        c.close(() => undefined);
      } catch {
        /* already closed */
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new CityTwinError("MODBUS_IO", "port closed"));
    this.drop();
  }
}
