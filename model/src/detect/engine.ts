/**
 * DetectionEngine: every detector of a city, fed reading by reading. Sensors are indexed
 * densely in `city.sensors` order; `reading(index, …)` is O(1) (the sensor's stack plus its
 * composite subscriptions); `tick(now)` runs the time-based checks (missing, offline, rule
 * windows) in O(sensors + devices + active rules). Conditions go to `onCondition` only when
 * a level changes. `snapshot()` / `restore()` carry the state across a restart.
 *
 *   const engine = new DetectionEngine({ city, onCondition: (c) => alarms.condition(c) });
 *   engine.reading(engine.indexOf("340111-GVC-00003-D01.ch4"), ts, 27.5, "good");
 */
import type { CityModel } from "../city";
import type { Level } from "../levels";
import type { DeviceHealth } from "../status";
import type { Quality } from "../quality";
import { DETECTOR_NAMES, type Condition, type DetectorName } from "./condition";
import { CompositeSet, type FlagState } from "./composite";
import { DEFAULT_COMPOSITE_RULES } from "./default-rules";
import { compositeCondition, offlineCondition, sensorCondition } from "./emit";
import { levelName, NEVER } from "./level-latch";
import { DEFAULT_LIVENESS, Liveness, type LivenessOptions } from "./liveness";
import type { ProfileOverride } from "./profile";
import { resolveCityConfigs } from "./city-configs";
import type { CompositeRule } from "./rules";
import {
  checkMissing,
  createSensorState,
  DETECTOR_BIT,
  READING_ACCEPTED,
  sensorLevel,
  updateSensor,
  type DetectStage,
  type SensorConfig,
  type SensorState,
} from "./sensor-stack";
import { buildSnapshot, restoreSnapshot, type DetectionSnapshot, type SnapshotParts } from "./snapshot";

export interface DetectionEngineOptions {
  city: CityModel;
  /** Composite rules (default DEFAULT_COMPOSITE_RULES; [] for none). */
  rules?: readonly CompositeRule[];
  /** Overrides of the default profiles, by sensor kind. */
  kindProfiles?: Readonly<Record<string, ProfileOverride>>;
  /** Overrides by sensor id, applied after the kind's. */
  sensorProfiles?: Readonly<Record<string, ProfileOverride>>;
  /** "cheap": impossible + threshold + liveness only (the hot path); default "full". */
  stage?: DetectStage;
  liveness?: Partial<LivenessOptions>;
  onCondition?: (c: Condition) => void;
}

const SENSOR_DETECTORS = DETECTOR_NAMES.filter((d) => d !== "offline" && d !== "composite");

export class DetectionEngine {
  readonly sensorIds: readonly string[];
  readonly configs: readonly SensorConfig[];
  readonly stage: DetectStage;
  onCondition: (c: Condition) => void;
  private readonly states: SensorState[];
  private readonly sensorDevice: Int32Array;
  private readonly index = new Map<string, number>();
  private readonly deviceIndex = new Map<string, number>();
  private readonly gatewayIndex = new Map<string, number>();
  private readonly deviceSensors: string[][];
  private readonly liveness: Liveness;
  private readonly composites: CompositeSet | null;
  private readonly flags = new Map<string, FlagState>();
  private latest = NEVER;
  /** Bound once: no closure allocated per reading. */
  private readonly compositeChanged = (n: number, ts: number): void => this.emitComposite(n, ts);

  constructor(private readonly options: DetectionEngineOptions) {
    const { city } = options;
    this.stage = options.stage ?? "full";
    this.onCondition = options.onCondition ?? (() => undefined);
    city.devices.forEach((d, i) => this.deviceIndex.set(d.id, i));
    city.gateways.forEach((g, i) => this.gatewayIndex.set(g.id, i));
    this.sensorIds = city.sensors.map((s) => s.id);
    this.sensorDevice = Int32Array.from(city.sensors, (s) => this.deviceIndex.get(s.deviceId) ?? -1);
    this.deviceSensors = city.devices.map(() => []);
    city.sensors.forEach((s, i) => {
      this.index.set(s.id, i);
      this.deviceSensors[this.sensorDevice[i] ?? -1]?.push(s.id);
    });
    this.configs = resolveCityConfigs(city, options.kindProfiles, options.sensorProfiles);
    this.states = this.configs.map(createSensorState);
    const live = { ...DEFAULT_LIVENESS, ...options.liveness };
    this.liveness = new Liveness(
      city.devices.map((d) => this.gatewayIndex.get(d.gatewayId) ?? -1),
      city.devices.map((d) => Math.max(live.deviceAfterIntervals * d.intervalMs, live.deviceMinMs)),
      city.gateways.length,
      live,
      (what, i, rank, reported, ts) => this.emitLiveness(what, i, rank, reported, ts),
    );
    const rules = options.rules ?? DEFAULT_COMPOSITE_RULES;
    this.composites =
      this.stage === "full" && rules.length > 0
        ? new CompositeSet(city, rules, this.states, this.configs, this.flags)
        : null;
  }

  /** Dense index of a sensor id, or -1. */
  indexOf(sensorId: string): number {
    return this.index.get(sensorId) ?? -1;
  }

  /** One reading of sensor `i` (dense index). value null = no value (bad quality). O(1). */
  reading(i: number, ts: number, value: number | null, quality: Quality): void {
    const st = this.states[i];
    const c = this.configs[i];
    if (st === undefined || c === undefined || !Number.isFinite(ts)) return;
    if (quality !== "stale") this.liveness.heard(this.sensorDevice[i] ?? -1, ts);
    if (ts > this.latest) this.latest = ts;
    const bits = updateSensor(st, c, ts, value, quality, this.stage);
    if ((bits & ~READING_ACCEPTED) !== 0) this.emitSensor(i, bits, ts, value);
    if (this.composites !== null && (bits & READING_ACCEPTED) !== 0)
      this.composites.onReading(i, ts, this.compositeChanged);
  }

  /** Heartbeat of a device (status message, successful poll without values). */
  deviceSeen(deviceId: string, ts: number): void {
    const d = this.deviceIndex.get(deviceId);
    if (d !== undefined && Number.isFinite(ts)) this.liveness.heard(d, ts);
  }

  /** Reported device health: "down" raises offline at once; "ok"/"degraded" count as heard. */
  deviceState(deviceId: string, health: DeviceHealth, ts: number): void {
    const d = this.deviceIndex.get(deviceId);
    if (d === undefined || health === "unknown" || !Number.isFinite(ts)) return;
    this.liveness.deviceReported(d, health === "down", ts);
  }

  /** Reported gateway state (the edge agent's status message or its MQTT Will). */
  gatewayState(gatewayId: string, state: "online" | "offline", ts: number): void {
    const g = this.gatewayIndex.get(gatewayId);
    if (g !== undefined && Number.isFinite(ts)) this.liveness.gatewayReported(g, state === "offline", ts);
  }

  /** An external flag for composite rules (e.g. heavy_rain from a weather feed). */
  setFlag(name: string, on: boolean, ts: number): void {
    if (!Number.isFinite(ts)) return;
    const f = this.flags.get(name) ?? { on: false, offAt: NEVER };
    if (f.on === on) return;
    if (!on) f.offAt = ts;
    f.on = on;
    this.flags.set(name, f);
    if (on && this.composites !== null) {
      for (const n of this.composites.instancesWithFlag(name))
        if (this.composites.evaluate(n, ts)) this.emitComposite(n, ts);
    }
  }

  /** Time-based checks at `now`: device/gateway silence, missing sensors, rule windows. */
  tick(now: number): void {
    if (!Number.isFinite(now)) return;
    if (now > this.latest) this.latest = now;
    this.liveness.tick(now);
    const devices = this.liveness.devices;
    for (let i = 0; i < this.states.length; i++) {
      const d = this.sensorDevice[i] ?? -1;
      if (!this.liveness.deviceUp(d)) continue;
      const st = this.states[i];
      const c = this.configs[i];
      const dev = devices[d];
      if (
        st !== undefined &&
        c !== undefined &&
        dev !== undefined &&
        checkMissing(st, c, dev.lastSeen, dev.firstSeen)
      )
        this.emitSensor(i, DETECTOR_BIT.missing, now, null);
    }
    const comp = this.composites;
    if (comp !== null) {
      comp.states.forEach((s, n) => {
        if (s.level !== 0 && comp.evaluate(n, now)) this.emitComposite(n, now);
      });
    }
  }

  /** Level of one detector of sensor `i` now. */
  levelOf(i: number, detector: DetectorName): Level {
    const st = this.states[i];
    return levelName(st === undefined ? 0 : sensorLevel(st, detector));
  }

  /** Read-only view of a sensor's detector state (inspection, tests). */
  sensorState(i: number): Readonly<SensorState> | undefined {
    return this.states[i];
  }

  /** Levels of the composite rule instances that are not normal, by key. */
  activeComposites(): Record<string, Level> {
    const out: Record<string, Level> = {};
    this.composites?.states.forEach((s, n) => {
      const inst = this.composites?.instances[n];
      if (s.level !== 0 && inst !== undefined) out[inst.key] = levelName(s.level);
    });
    return out;
  }

  /**
   * Emits a Condition for every detector that is not normal now (level-triggered resync).
   * Call once after `restore()` so a consumer that persisted its own state (the alarm
   * manager) hears again about what is still abnormal; edge-triggered emission alone would
   * stay silent about conditions that did not change across the restart.
   */
  reemitActive(ts: number): void {
    this.states.forEach((st, i) => {
      let bits = 0;
      for (const d of SENSOR_DETECTORS) if (sensorLevel(st, d) !== 0) bits |= DETECTOR_BIT[d];
      if (bits !== 0) this.emitSensor(i, bits, ts, null);
    });
    this.liveness.devices.forEach((d, i) => {
      if (d.level !== 0) this.emitLiveness("device", i, d.level, d.reported, ts);
    });
    this.liveness.gateways.forEach((g, i) => {
      if (g.level !== 0) this.emitLiveness("gateway", i, g.level, g.reported, ts);
    });
    this.composites?.states.forEach((s, n) => {
      if (s.level !== 0) this.emitComposite(n, ts);
    });
  }

  snapshot(): DetectionSnapshot {
    return buildSnapshot(this.parts());
  }

  /** Restores a snapshot taken by any engine over (a version of) the same city; see ./snapshot. */
  restore(raw: unknown): void {
    const takenAt = restoreSnapshot(raw, this.parts());
    if (takenAt > this.latest) this.latest = takenAt;
  }

  private parts(): SnapshotParts {
    const { city } = this.options;
    return {
      takenAt: this.latest,
      sensorIds: this.sensorIds,
      sensors: this.states,
      deviceIds: city.devices.map((d) => d.id),
      devices: this.liveness.devices,
      gatewayIds: city.gateways.map((g) => g.id),
      gateways: this.liveness.gateways,
      compositeKeys: this.composites?.instances.map((n) => n.key) ?? [],
      composites: this.composites?.states ?? [],
      flags: this.flags,
    };
  }

  private emitSensor(i: number, bits: number, ts: number, value: number | null): void {
    const st = this.states[i];
    const c = this.configs[i];
    const id = this.sensorIds[i];
    if (st === undefined || c === undefined || id === undefined) return;
    for (const d of SENSOR_DETECTORS) {
      if ((bits & DETECTOR_BIT[d]) !== 0) this.onCondition(sensorCondition(id, d, c, st, ts, value));
    }
  }

  private emitLiveness(
    what: "device" | "gateway",
    i: number,
    rank: number,
    reported: boolean,
    ts: number,
  ): void {
    const { city } = this.options;
    const id = (what === "device" ? city.devices[i]?.id : city.gateways[i]?.id) ?? "";
    const live = what === "device" ? this.liveness.devices[i] : this.liveness.gateways[i];
    const sensors = what === "device" ? (this.deviceSensors[i] ?? []) : [];
    this.onCondition(offlineCondition(what, id, rank, reported, ts, live?.lastSeen ?? ts, sensors));
  }

  private emitComposite(n: number, ts: number): void {
    const comp = this.composites;
    const inst = comp?.instances[n];
    const state = comp?.states[n];
    if (comp === null || inst === undefined || state === undefined) return;
    const idx = state.level !== 0 ? comp.evidence(n, ts) : [...new Set(inst.slotSensor)];
    const sensors = idx.map((i) => ({
      id: this.sensorIds[i] ?? "",
      key: this.options.city.sensors[i]?.key ?? "",
    }));
    this.onCondition(compositeCondition(inst.rule, inst.anchor, state.level, ts, sensors));
  }
}
