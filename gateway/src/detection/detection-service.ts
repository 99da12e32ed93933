/**
 * The gateway's hot-path detection and alarm management: accepted readings → DetectionEngine
 * (model/src/detect) → Conditions → AlarmManager (ISA-18.2, ../alarms) → events for `/live`.
 *
 * Contract:
 *  - `onReadings` runs inside the ingest worker: O(1) per reading, no I/O, no awaits.
 *  - A clock (`tickMs`) drives the time-based checks (missing data, offline, delays,
 *    shelving expiry, flood windows).
 *  - With a state directory, alarms/incidents/audit are journalled by AlarmStore (its fsync
 *    policy: docs/alarms.md) and the detectors' state is written to `detectors.json` every
 *    `snapshotIntervalMs` and on stop (temp file, fsync, rename), so a restart resumes both.
 *    A missing or unreadable detector snapshot starts the detectors fresh (logged).
 */
import { open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { DetectionEngine, type CityModel } from "@citytwin/model";
import type { Registry } from "prom-client";
import { AlarmManager, AlarmStore, type AlarmEvent } from "../alarms";
import type { HotStore } from "../hot-store/hot-store";
import type { IngestListener } from "../ingest/pipeline";
import type { DeviceRegistry } from "../ingest/registry";
import type { AcceptedReading } from "../ingest/validate";
import { AlarmMetrics } from "./alarm-metrics";
import { evidenceProvider, sourceResolver } from "./sources";

export const DETECTOR_STATE_FILE = "detectors.json";

export interface DetectionServiceOptions {
  city: CityModel;
  registry: DeviceRegistry;
  hotStore: HotStore;
  logger: Logger;
  now: () => number;
  stateDir?: string;
  tickMs: number;
  snapshotIntervalMs: number;
  onAlarmEvent: (event: AlarmEvent) => void;
  /** Registry for the detection and alarm metrics (alarm-metrics.ts). */
  metricsRegistry: Registry;
}

export class DetectionService implements IngestListener {
  private ticker: NodeJS.Timeout | undefined;
  private saver: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly opts: DetectionServiceOptions,
    readonly engine: DetectionEngine,
    readonly alarms: AlarmManager,
    private readonly store: AlarmStore | undefined,
    /** Registry sensor index → engine sensor index (-1: the engine does not know it). */
    private readonly engineIndex: Int32Array,
  ) {}

  static async create(opts: DetectionServiceOptions): Promise<DetectionService> {
    const { city, registry, hotStore, logger, now, stateDir } = opts;
    const log = logger.child({ part: "alarms" });
    const store = stateDir === undefined ? undefined : await AlarmStore.open(stateDir, { logger: log, now });
    if (store !== undefined) log.info({ stateDir, ...store.loadReport }, "alarm state loaded");
    else log.warn({}, "alarms.stateDir not set: alarms and detector state live in memory only");
    const assets = new Set(city.assets.map((a) => a.id));
    const alarms = new AlarmManager({
      resolveSource: sourceResolver(city),
      evidence: evidenceProvider(registry, hotStore),
      logger: log,
      now,
      journal: store,
      knownAsset: (id) => assets.has(id),
      onChange: opts.onAlarmEvent,
    });
    const metrics = new AlarmMetrics(opts.metricsRegistry, () => alarms.stats());
    const engine = new DetectionEngine({
      city,
      onCondition: (c) => {
        metrics.condition(c);
        alarms.onCondition(c);
      },
    });
    if (stateDir !== undefined && (await restoreDetectors(engine, join(stateDir, DETECTOR_STATE_FILE), log)))
      engine.reemitActive(now()); // the restored alarms hear again what is still abnormal
    const engineIndex = Int32Array.from(registry.sensors, (s) => engine.indexOf(s.sensorId));
    return new DetectionService(opts, engine, alarms, store, engineIndex);
  }

  start(): void {
    this.ticker = setInterval(() => this.tick(), this.opts.tickMs);
    this.ticker.unref();
    if (this.opts.stateDir !== undefined) {
      this.saver = setInterval(() => void this.saveDetectors(), this.opts.snapshotIntervalMs);
      this.saver.unref();
    }
  }

  onReadings(readings: readonly AcceptedReading[]): void {
    const engine = this.engine;
    const map = this.engineIndex;
    for (const r of readings) {
      const i = map[r.sensor.index] ?? -1;
      if (i >= 0) engine.reading(i, r.ts, r.value, r.quality);
    }
  }

  onGatewayState(gatewayId: string, state: "online" | "offline", ts: number): void {
    this.engine.gatewayState(gatewayId, state, ts);
  }

  /** Stops the clock, saves the detectors and closes the alarm journal (compacting it). */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    clearInterval(this.saver);
    this.ticker = this.saver = undefined;
    await this.saveDetectors();
    await this.store?.close();
  }

  private tick(): void {
    const now = this.opts.now();
    try {
      this.engine.tick(now);
      this.alarms.tick(now);
    } catch (err) {
      this.opts.logger.error({ err }, "detection tick failed");
    }
  }

  /** Serialised: at most one write of detectors.json at a time. */
  private saveDetectors(): Promise<void> {
    const dir = this.opts.stateDir;
    if (dir === undefined) return Promise.resolve();
    this.saving = this.saving
      .then(() => writeAtomically(join(dir, DETECTOR_STATE_FILE), JSON.stringify(this.engine.snapshot())))
      .catch((err: unknown) => this.opts.logger.error({ err }, "saving detector state failed"));
    return this.saving;
  }
}

/** True when a snapshot was restored; a missing or unreadable one starts the detectors fresh. */
async function restoreDetectors(engine: DetectionEngine, file: string, logger: Logger): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    logger.info({ file }, "no detector state yet: detectors start fresh");
    return false;
  }
  try {
    engine.restore(JSON.parse(text));
    logger.info({ file }, "detector state restored");
    return true;
  } catch (err) {
    logger.warn({ err, file }, "detector state unreadable: detectors start fresh");
    return false;
  }
}

/** temp file → fsync → rename: a crash leaves the old or the new file, never a torn one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}
