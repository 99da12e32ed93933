/**
 * evaluateScenarios: drives the DetectionEngine with the SignalEngine's values of a city,
 * each device sampled at its configured interval (fast-forwarded, no real time), scores the
 * alarms an AlarmSink raises against the scenarios' ground truth, and times the engine.
 *
 * Scoring per incident (ground truth: groundTruth() windows [start, end)):
 *   detected   the first alarm in [start, end) whose source or evidence includes one of the
 *              incident's sensors (or their devices or assets); time-to-detect = alarm ts − start
 *   typed      the first such alarm of the detector that names the incident: the composite
 *              rule of that category (gas_leak, …), `stuck` for sensor_stuck; any for drift
 *   false      any other alarm, except ones on the incident's sensors within graceMs after
 *              its end (the signal snapping back), which are not counted either way
 * Engine time excludes signal generation: values for each simulated second are generated
 * first, then fed to the engine under the timer (engine.tick and sink included).
 */
import { performance } from "node:perf_hooks";
import {
  DEFAULT_COMPOSITE_RULES,
  DetectionEngine,
  type CityModel,
  type Condition,
  type DetectionEngineOptions,
  type DetectionSnapshot,
} from "@citytwin/model";
import { SignalEngine, groundTruth, type IncidentType, type Scenario } from "../../../src/signals";
import { rawConditionSink, type AlarmEvent, type AlarmSinkFactory } from "./alarm-sink";

const DAY_MS = 86_400_000;
const BIN_MS = 600_000;

export interface LabelledRun {
  name: string;
  scenario: Scenario;
  /** Simulated time of the scenario's second 0. */
  startMs: number;
  durationMs: number;
  /** Clean feed before startMs that warms the baselines; alarms in it count as false. */
  preRollMs: number;
  /**
   * Name of an earlier run whose final engine state this run restores (snapshot/restore,
   * as across a gateway restart), so learned baselines carry over; the earlier run must
   * end no later than this run's pre-roll starts.
   */
  restoreFrom?: string;
}

export interface EvaluateOptions {
  city: CityModel;
  runs: readonly LabelledRun[];
  engine?: Omit<DetectionEngineOptions, "city" | "onCondition">;
  /** Default: rawConditionSink (every condition leaving normal is an alarm). */
  sink?: AlarmSinkFactory;
  /** engine.tick / sink.tick period, ms (default 1000). */
  tickMs?: number;
  graceMs?: number;
  progress?: (line: string) => void;
}

export interface IncidentResult {
  id: string;
  type: IncidentType;
  target: string;
  startMs: number;
  endMs: number;
  /** The scenario's deadline for raising the alarm (ground truth deadlineMs). */
  deadlineMs: number;
  ttdMs: number | null;
  typedTtdMs: number | null;
  /** Key of the first matching alarm. */
  firstAlarm: string | null;
}

export interface RunResult {
  name: string;
  sensorDays: number;
  readings: number;
  conditions: number;
  alarms: number;
  falseAlarms: number;
  falseAlarmsPer1000SensorDays: number;
  /** False alarms by `detector` (composite: `composite:rule`). */
  falseByDetector: Record<string, number>;
  falseSamples: AlarmEvent[];
  peakConditionsPer10Min: number;
  peakAlarmsPer10Min: number;
  incidents: IncidentResult[];
  engineNsPerReading: number;
  wallMs: number;
}

interface Window {
  result: IncidentResult;
  sensors: Set<string>;
}

/** Events per fixed 10-minute bin; `add` returns the peak so far (events arrive in time order). */
class PeakCounter {
  private bin = Number.NaN;
  private count = 0;
  private peak = 0;
  add(ts: number): number {
    const b = Math.floor(ts / BIN_MS);
    if (b !== this.bin) {
      this.bin = b;
      this.count = 0;
    }
    if (++this.count > this.peak) this.peak = this.count;
    return this.peak;
  }
}

function typedMatch(type: IncidentType, a: AlarmEvent, categories: Map<string, string | undefined>): boolean {
  if (type === "sensor_stuck") return a.detector === "stuck";
  if (type === "sensor_drift") return true;
  return a.detector === "composite" && a.rule !== undefined && categories.get(a.rule) === type;
}

/** Sensors grouped by (interval, phase): device d reports at seconds ≡ d mod interval. */
function schedule(city: CityModel): { everyS: number; phaseS: number; sensors: Int32Array }[] {
  const deviceIndex = new Map(city.devices.map((d, i) => [d.id, i]));
  const groups = new Map<string, number[]>();
  city.sensors.forEach((s, i) => {
    const d = deviceIndex.get(s.deviceId) ?? 0;
    const everyS = Math.max(1, Math.round((city.devices[d]?.intervalMs ?? 1000) / 1000));
    const key = `${everyS}:${d % everyS}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return [...groups].map(([key, list]) => {
    const [everyS, phaseS] = key.split(":").map(Number);
    return { everyS: everyS ?? 1, phaseS: phaseS ?? 0, sensors: Int32Array.from(list) };
  });
}

export function evaluateScenarios(options: EvaluateOptions): RunResult[] {
  const { city } = options;
  const rules = options.engine?.rules ?? DEFAULT_COMPOSITE_RULES;
  const categories = new Map(rules.map((r) => [r.id, r.category]));
  const groups = schedule(city);
  const ids = city.sensors.map((s) => s.id);
  const values = new Float64Array(ids.length);
  const due = new Int32Array(ids.length);
  /** A sensor's device and asset ids: alarms on those match the sensor's incidents too. */
  const owners = new Map(city.sensors.map((s) => [s.id, [s.deviceId, s.assetId]]));
  const restoreNames = new Set(
    options.runs.flatMap((r) => (r.restoreFrom === undefined ? [] : [r.restoreFrom])),
  );
  const finalStates = new Map<string, DetectionSnapshot>();
  return options.runs.map((run) => {
    const wall = performance.now();
    const windows: Window[] = groundTruth(run.scenario, run.startMs, city).map((w) => ({
      sensors: new Set(w.sensorIds.flatMap((id) => [id, ...(owners.get(id) ?? [])])),
      result: {
        id: w.incidentId,
        type: w.type,
        target: run.scenario.incidents.find((i) => i.id === w.incidentId)?.target ?? "",
        startMs: w.startMs,
        endMs: w.endMs,
        deadlineMs: w.deadlineMs,
        ttdMs: null,
        typedTtdMs: null,
        firstAlarm: null,
      },
    }));
    const graceMs = options.graceMs ?? 300_000;
    const r: RunResult = {
      name: run.name,
      sensorDays: (ids.length * (run.preRollMs + run.durationMs)) / DAY_MS,
      readings: 0,
      conditions: 0,
      alarms: 0,
      falseAlarms: 0,
      falseAlarmsPer1000SensorDays: 0,
      falseByDetector: {},
      falseSamples: [],
      peakConditionsPer10Min: 0,
      peakAlarmsPer10Min: 0,
      incidents: windows.map((w) => w.result),
      engineNsPerReading: 0,
      wallMs: 0,
    };
    const conditionBins = new PeakCounter();
    const alarmBins = new PeakCounter();
    const raise = (a: AlarmEvent) => {
      r.alarms++;
      r.peakAlarmsPer10Min = alarmBins.add(a.ts);
      let matched = false;
      for (const w of windows) {
        const hit = w.sensors.has(a.sourceId) || a.evidenceSensorIds.some((s) => w.sensors.has(s));
        if (!hit || a.ts < w.result.startMs || a.ts >= w.result.endMs + graceMs) continue;
        matched = true;
        if (a.ts >= w.result.endMs) continue;
        const ttd = a.ts - w.result.startMs;
        if (w.result.ttdMs === null) {
          w.result.ttdMs = ttd;
          w.result.firstAlarm = a.key;
        }
        if (w.result.typedTtdMs === null && typedMatch(w.result.type, a, categories))
          w.result.typedTtdMs = ttd;
      }
      if (matched) return;
      r.falseAlarms++;
      const k = a.detector === "composite" ? `composite:${a.rule ?? ""}` : a.detector;
      r.falseByDetector[k] = (r.falseByDetector[k] ?? 0) + 1;
      if (r.falseSamples.length < 10) r.falseSamples.push(a);
    };
    const sink = (options.sink ?? rawConditionSink)(raise);
    const onCondition = (c: Condition) => {
      r.conditions++;
      r.peakConditionsPer10Min = conditionBins.add(c.ts);
      sink.condition(c);
    };
    const engine = new DetectionEngine({ ...options.engine, city, onCondition });
    if (run.restoreFrom !== undefined) {
      const snap = finalStates.get(run.restoreFrom);
      if (snap === undefined)
        throw new Error(`run ${run.name}: no earlier run ${run.restoreFrom} to restore`);
      engine.restore(snap);
    }
    const signal = new SignalEngine({ city, scenario: run.scenario, startMs: run.startMs });
    const tickS = Math.max(1, Math.round((options.tickMs ?? 1000) / 1000));
    const from = Math.ceil((run.startMs - run.preRollMs) / 1000);
    const to = Math.floor((run.startMs + run.durationMs) / 1000);
    let engineMs = 0;
    for (let s = from; s < to; s++) {
      const t = s * 1000;
      let n = 0;
      for (const g of groups) {
        if (s % g.everyS !== g.phaseS) continue;
        for (const i of g.sensors) {
          values[n] = signal.value(ids[i] ?? "", t);
          due[n++] = i;
        }
      }
      const t0 = performance.now();
      for (let k = 0; k < n; k++) engine.reading(due[k] ?? 0, t, values[k] ?? 0, "good");
      if (s % tickS === 0) {
        engine.tick(t);
        sink.tick(t);
      }
      engineMs += performance.now() - t0;
      r.readings += n;
      if (options.progress !== undefined && (s - from) % 21_600 === 21_599)
        options.progress(
          `${run.name}: ${(((s - from) * 1000) / 3_600_000).toFixed(0)} h simulated, ${r.readings.toLocaleString("en")} readings, ${r.falseAlarms} false alarms`,
        );
    }
    if (restoreNames.has(run.name)) finalStates.set(run.name, engine.snapshot());
    r.falseAlarmsPer1000SensorDays = (r.falseAlarms / r.sensorDays) * 1000;
    r.engineNsPerReading = (engineMs * 1e6) / Math.max(1, r.readings);
    r.wallMs = performance.now() - wall;
    return r;
  });
}
