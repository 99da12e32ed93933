export { AlarmManager } from "./manager";
export type { AlarmManagerOptions } from "./manager";
export type { AlarmStats } from "./stats";
export { AlarmStore, SNAPSHOT_FILE, JOURNAL_FILE } from "./store";
export type { AlarmStoreOptions, LoadReport } from "./store";
export { DEFAULT_ALARM_CONFIG, resolveAlarmConfig, ACTIVE_LEVELS } from "./config";
export type { AlarmConfig, AlarmConfigInput, ActiveLevel, PerLevel } from "./config";
export { TRANSITIONS, nextState, isOpen } from "./lifecycle";
export type { LifecycleEvent } from "./lifecycle";
export { SYSTEM_ACTOR } from "./audit";
export type { AuditQuery } from "./audit";
export type { AlarmQuery } from "./book";
export type { IncidentQuery } from "./incidents";
export type { FloodStats } from "./flood";
export type { MaintenanceResult } from "./operator";
export { UNKNOWN, UNKNOWN_SOURCE } from "./types";
export type {
  ActionErrorCode,
  ActionResult,
  AlarmEvent,
  AlarmJournal,
  AlarmListener,
  EvidenceProvider,
  JournalRecord,
  MaintenanceEntry,
  PersistedState,
  PointFlags,
  Principal,
  ResolveSource,
  SourceInfo,
} from "./types";
