/** Test support for the alarm manager tests: a manual clock, a tiny city and condition helpers. */
import { pino } from "pino";
import {
  conditionKey,
  type Alarm,
  type DetectorName,
  type EvidenceSeries,
  type Level,
} from "@citytwin/model";
import { AlarmManager, type AlarmConfigInput, type AlarmManagerOptions } from "../src/alarms/index";
import type { AlarmEvent, Principal, SourceInfo } from "../src/alarms/index";

export const T0 = 1_750_000_000_000;
export const OPERATOR: Principal = { name: "li.wei", role: "operator" };
export const ADMIN: Principal = { name: "root", role: "admin" };
export const VIEWER: Principal = { name: "guest", role: "viewer" };

/** Every delay zero: conditions act at once (state-machine tests). */
export const NO_DELAYS: AlarmConfigInput = {
  onDelayMs: { blue: 0, yellow: 0, orange: 0, red: 0 },
  offDelayMs: { blue: 0, yellow: 0, orange: 0, red: 0 },
  reraiseDeadbandMs: { blue: 0, yellow: 0, orange: 0, red: 0 },
  escalateDelayMs: { blue: 0, yellow: 0, orange: 0, red: 0 },
  deEscalateDelayMs: { blue: 0, yellow: 0, orange: 0, red: 0 },
};

function place(assetId: string, district: string, person: string): SourceInfo {
  return {
    assetId,
    assetType: assetId.split("-")[0] ?? "",
    domain: assetId.startsWith("WMN") ? "water" : "gas",
    hierarchy: { city: "Hefei", district, street: "Ziyun Rd", grid: "G-07" },
    owner: { org: "Hefei Gas", person, phone: "0551-1234567" },
  };
}

/** Sensors S-1, S-2 on gas pipe GPS-001; S-3 on water main WMN-002; assets resolve to themselves. */
export const SOURCES: Record<string, SourceInfo> = {
  "S-1": place("GPS-001", "Binhu", "Zhang San"),
  "S-2": place("GPS-001", "Binhu", "Zhang San"),
  "S-3": place("WMN-002", "Binhu", "Wang Wu"),
  "GPS-001": place("GPS-001", "Binhu", "Zhang San"),
  "WMN-002": place("WMN-002", "Binhu", "Wang Wu"),
};
for (let i = 0; i < 30; i++) {
  SOURCES[`B-${i}`] = place(`GPS-1${String(i).padStart(2, "0")}`, "Binhu", "Zhao Liu");
  SOURCES[`Y-${i}`] = place(`WMN-1${String(i).padStart(2, "0")}`, "Yaohai", "Sun Qi");
}

export interface CondOptions {
  detector?: DetectorName;
  rule?: string;
  en?: string;
  evidence?: string[];
}

export function harness(
  config: AlarmConfigInput = NO_DELAYS,
  extra: Partial<AlarmManagerOptions> = {},
  startAt = T0,
) {
  let t = startAt;
  const events: AlarmEvent[] = [];
  const evidenceCalls: { ids: readonly string[]; endTs: number }[] = [];
  const mgr = new AlarmManager({
    resolveSource: (id) => SOURCES[id],
    evidence: (ids, endTs): EvidenceSeries[] => {
      evidenceCalls.push({ ids, endTs });
      return ids.map((sensorId) => ({
        sensorId,
        kind: "gas_ppm",
        unit: "ppm",
        points: [[endTs, evidenceCalls.length]],
      }));
    },
    logger: pino({ level: "silent" }),
    now: () => t,
    config,
    // Serialised at once, as the WebSocket push does (events carry live records).
    onChange: (e) => events.push(JSON.parse(JSON.stringify(e)) as AlarmEvent),
    ...extra,
  });
  const cond = (sourceId: string, level: Level, o: CondOptions = {}) => {
    const detector = o.detector ?? "threshold";
    mgr.onCondition({
      key: conditionKey(sourceId, detector, o.rule),
      sourceId,
      detector,
      ...(o.rule === undefined ? {} : { rule: o.rule }),
      level,
      ts: t,
      explanation: { en: o.en ?? `${sourceId} is ${level}`, zh: `${sourceId} ${level}` },
      evidenceSensorIds: o.evidence ?? [sourceId],
    });
  };
  /** Moves the clock and ticks. */
  const advance = (ms: number) => {
    t += ms;
    mgr.tick(t);
  };
  /** The newest alarm (open or closed) of a point. */
  const latest = (sourceId: string, detector: DetectorName = "threshold"): Alarm | undefined =>
    [...mgr.alarms({ limit: 5000 }), ...mgr.alarms({ state: "normal", limit: 5000 })]
      .filter((a) => a.sourceId === sourceId && a.detector === detector)
      .sort((a, b) => b.raisedAt - a.raisedAt || Number(b.id.split("-")[2]) - Number(a.id.split("-")[2]))[0];
  const ofType = <K extends AlarmEvent["type"]>(type: K) =>
    events.filter((e): e is Extract<AlarmEvent, { type: K }> => e.type === type);
  return { mgr, events, evidenceCalls, cond, advance, latest, ofType, now: () => t };
}

/** Unwraps an ok ActionResult or fails the test with the error. */
export function must<T>(r: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r.value;
}
