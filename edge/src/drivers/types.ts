/**
 * Driver contracts. A driver only talks to devices; the runner (poll-runner.ts) owns
 * scheduling, backoff and statistics, and the publisher owns batching and delivery.
 *
 * Lifecycle: constructors assign only; `connect()`/`start()` do I/O; `close()`/`stop()`
 * release everything and are safe to call more than once. Drivers never throw out of
 * `read()` for a device failure: they return readings with value null and quality "bad".
 */
import type { Logger } from "pino";
import type { Clock as ReadingClock, DeviceHealth, Quality, ReadingValue } from "@citytwin/model";
import type { Clock } from "../runtime/clock";
import type { DeviceConfig, Profile } from "../config/schema";
import type { EdgeSecrets } from "../config/load";

/** One sensor value. A null value always carries a non-good quality. */
export interface Reading {
  deviceId: string;
  key: string;
  /** Source timestamp, ms. */
  ts: number;
  clock: ReadingClock;
  value: ReadingValue;
  quality: Quality;
}

export interface ReadResult {
  readings: Reading[];
  /** ok: every point good; degraded: some points bad; down: no point could be read. */
  health: DeviceHealth;
  /** Error code of the first failure, if any (e.g. MODBUS_EXCEPTION). */
  errorCode?: string;
  errorMessage?: string;
}

/** A device read on a schedule. One instance per device. */
export interface PollingDriver {
  readonly deviceId: string;
  readonly intervalMs: number;
  connect(): Promise<void>;
  /** Reads every point once. Resolves even when the device fails (see ReadResult). */
  read(): Promise<ReadResult>;
  close(): Promise<void>;
}

/** Receives readings and health changes from streaming drivers. Must not block. */
export interface StreamSink {
  readings(readings: Reading[]): void;
  health(deviceId: string, health: DeviceHealth): void;
}

/** A source that pushes data (subscriptions). One instance may serve several devices. */
export interface StreamingDriver {
  readonly deviceIds: readonly string[];
  start(sink: StreamSink): Promise<void>;
  stop(): Promise<void>;
  /** Counters for the agent's stats (messages, errors, …). */
  stats(): Record<string, number>;
}

export interface DriverContext {
  logger: Logger;
  clock: Clock;
  /** Absolute agent state directory (e.g. OPC UA PKI lives under it). */
  stateDir: string;
  gatewayId: string;
  profiles: Record<string, Profile>;
  secrets: EdgeSecrets;
}

export interface DriverSet {
  polling: PollingDriver[];
  streaming: StreamingDriver[];
}

/** Creates the drivers for all devices of one kind, so they can share connections. */
export interface DriverFactory {
  readonly kind: DeviceConfig["driver"];
  create(devices: DeviceConfig[], ctx: DriverContext): Promise<DriverSet>;
}
