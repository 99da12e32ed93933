/**
 * Alarm manager settings and their defaults. Times are milliseconds of the manager's clock
 * (the gateway's wall clock), not of the readings' source timestamps.
 *
 * Sources of the defaults (see docs/alarms.md):
 * - Chattering: ISA-18.2 counts an alarm that annunciates 3 or more times in 60 s as
 *   chattering (performance metrics, "chattering and fleeting alarms").
 * - Flood: ISA-18.2 / IEC 62682 benchmark: more than 10 annunciated alarms per operator
 *   position in 10 minutes; the flood ends when the rate falls below 5 per 10 minutes
 *   (EEMUA 191's end criterion, the common reading of the ISA metric).
 * - On/off delays: ISA-18.2 basic alarm design ("alarm deadband and delay") recommends a few
 *   seconds as a starting point; red (危险, immediate danger) has no on-delay.
 * - Shelving is always time-limited (ISA-18.2 "shelving"); here at most 24 h.
 */
import type { DetectorName, Level, Role } from "@citytwin/model";

export type ActiveLevel = Exclude<Level, "normal">;
export const ACTIVE_LEVELS: readonly ActiveLevel[] = ["blue", "yellow", "orange", "red"];
export type PerLevel = Readonly<Record<ActiveLevel, number>>;

export interface AlarmConfig {
  /** Condition must be continuously at or above the level this long before it annunciates. */
  onDelayMs: PerLevel;
  /** Condition must be continuously normal this long before an alarm at this level clears. */
  offDelayMs: PerLevel;
  /** After a clear, a new activation at this level is held until this long after the clear. */
  reraiseDeadbandMs: PerLevel;
  /** An active alarm rises to this level only after the condition held it this long. */
  escalateDelayMs: PerLevel;
  /** An active alarm steps down from this level only after the condition stayed below it this long. */
  deEscalateDelayMs: PerLevel;
  /** Chattering: at least `chatterCount` activations within `chatterWindowMs` … */
  chatterCount: number;
  chatterWindowMs: number;
  /** … latches the alarm active until the condition has been normal for this long. */
  chatterQuietMs: number;
  /** Flood: more than `floodThreshold` annunciations per position within `floodWindowMs` … */
  floodThreshold: number;
  floodWindowMs: number;
  /** … ends when the count in the window falls below this. */
  floodEndBelow: number;
  /** During a flood, changes of alarms below this level are held back from `onChange`. */
  floodPriorityLevel: ActiveLevel;
  /** Alarms at or above this level (and every composite-rule alarm) open or join an incident. */
  incidentLevel: ActiveLevel;
  maxShelveMs: number;
  /** Closed alarms, closed incidents and audit entries kept (memory and snapshot). */
  maxClosedAlarms: number;
  maxClosedIncidents: number;
  maxAuditEntries: number;
  /**
   * After a restart an active alarm whose point hears no condition within this time is taken
   * as cleared (detectors restart from normal and re-emit what is still abnormal).
   */
  restoreGraceMs: number;
  /** Roles allowed to acknowledge, shelve, remove from service and work incidents. */
  operatorRoles: readonly Role[];
  /** Roles allowed to switch an asset's maintenance mode (suppression by design). */
  maintenanceRoles: readonly Role[];
  /**
   * Designed suppression of consequential alarms (ISA-18.2 alarm grouping / first-out): while a
   * composite-rule alarm is active and annunciated, the single-sensor alarms of its evidence
   * sensors are grouped under it (`groupedUnder`): tracked and pushed, not annunciated.
   */
  groupConsequential: boolean;
  /**
   * Single-sensor alarms that are never grouped: `detector` at or above `level` (life safety:
   * a red methane threshold must reach the operator on its own).
   */
  neverGroup: readonly NeverGroup[];
}

export interface NeverGroup {
  detector: DetectorName;
  level: ActiveLevel;
}

export const DEFAULT_ALARM_CONFIG: AlarmConfig = {
  onDelayMs: { blue: 15_000, yellow: 10_000, orange: 5_000, red: 0 },
  offDelayMs: { blue: 10_000, yellow: 10_000, orange: 10_000, red: 10_000 },
  reraiseDeadbandMs: { blue: 30_000, yellow: 30_000, orange: 10_000, red: 0 },
  escalateDelayMs: { blue: 0, yellow: 10_000, orange: 5_000, red: 0 },
  deEscalateDelayMs: { blue: 60_000, yellow: 60_000, orange: 60_000, red: 60_000 },
  chatterCount: 3,
  chatterWindowMs: 60_000,
  chatterQuietMs: 60_000,
  floodThreshold: 10,
  floodWindowMs: 600_000,
  floodEndBelow: 5,
  floodPriorityLevel: "orange",
  incidentLevel: "orange",
  maxShelveMs: 24 * 3600_000,
  maxClosedAlarms: 1000,
  maxClosedIncidents: 1000,
  maxAuditEntries: 50_000,
  restoreGraceMs: 300_000,
  operatorRoles: ["operator", "admin"],
  maintenanceRoles: ["operator", "admin"],
  groupConsequential: true,
  neverGroup: [{ detector: "threshold", level: "red" }],
};

type PerLevelKeys =
  "onDelayMs" | "offDelayMs" | "reraiseDeadbandMs" | "escalateDelayMs" | "deEscalateDelayMs";
export type AlarmConfigInput = Partial<Omit<AlarmConfig, PerLevelKeys>> &
  Partial<Record<PerLevelKeys, Partial<Record<ActiveLevel, number>>>>;

const PER_LEVEL_KEYS: readonly PerLevelKeys[] = [
  "onDelayMs",
  "offDelayMs",
  "reraiseDeadbandMs",
  "escalateDelayMs",
  "deEscalateDelayMs",
];

/** Defaults overlaid with `input`; throws on a negative or non-finite time (a programming error). */
export function resolveAlarmConfig(input: AlarmConfigInput = {}): AlarmConfig {
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const cfg: AlarmConfig = { ...DEFAULT_ALARM_CONFIG, ...given } as AlarmConfig;
  for (const key of PER_LEVEL_KEYS) {
    const merged = { ...DEFAULT_ALARM_CONFIG[key], ...input[key] };
    for (const l of ACTIVE_LEVELS) checkTime(`${key}.${l}`, merged[l]);
    (cfg as unknown as Record<PerLevelKeys, PerLevel>)[key] = merged;
  }
  for (const k of [
    "chatterWindowMs",
    "chatterQuietMs",
    "floodWindowMs",
    "maxShelveMs",
    "restoreGraceMs",
  ] as const)
    checkTime(k, cfg[k]);
  for (const k of [
    "chatterCount",
    "floodThreshold",
    "maxClosedAlarms",
    "maxClosedIncidents",
    "maxAuditEntries",
  ] as const)
    if (!Number.isInteger(cfg[k]) || cfg[k] < 1)
      throw new Error(`alarm config ${k} must be a positive integer`);
  if (cfg.floodEndBelow > cfg.floodThreshold)
    throw new Error("alarm config floodEndBelow exceeds floodThreshold");
  return cfg;
}

function checkTime(name: string, v: number): void {
  if (!Number.isFinite(v) || v < 0) throw new Error(`alarm config ${name} must be a finite number ≥ 0`);
}
