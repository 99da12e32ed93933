/**
 * What the alarm manager needs from the gateway (ports) and what it gives back (results and
 * events). The manager never throws for a user error: operator actions answer with an
 * `ActionResult` whose `code` maps one-to-one onto an HTTP status (404, 403, 409, 400).
 */
import type {
  Alarm,
  AuditEntry,
  DetectorName,
  EvidenceSeries,
  Hierarchy,
  Incident,
  Owner,
  Role,
} from "@citytwin/model";

/** Who performs an operator action (the authenticated HTTP caller). */
export interface Principal {
  name: string;
  role: Role;
}

export type ActionErrorCode = "NOT_FOUND" | "FORBIDDEN" | "INVALID_STATE" | "BAD_REQUEST";
export type ActionResult<T> = { ok: true; value: T } | { ok: false; code: ActionErrorCode; message: string };

export function ok<T>(value: T): ActionResult<T> {
  return { ok: true, value };
}
export function fail<T>(code: ActionErrorCode, message: string): ActionResult<T> {
  return { ok: false, code, message };
}

/** Where a source (sensor, device, gateway or asset id) sits in the city. */
export interface SourceInfo {
  assetId: string;
  assetType: string;
  domain: string;
  hierarchy: Hierarchy;
  owner: Owner;
}
/** Undefined for a source the city model does not know (the alarm still raises, with placeholders). */
export type ResolveSource = (sourceId: string) => SourceInfo | undefined;
/** The readings window ending at `endTs` for each sensor (hot store lookup). */
export type EvidenceProvider = (sensorIds: readonly string[], endTs: number) => EvidenceSeries[];

export const UNKNOWN = "unknown";
export const UNKNOWN_SOURCE: SourceInfo = {
  assetId: UNKNOWN,
  assetType: UNKNOWN,
  domain: UNKNOWN,
  hierarchy: { city: UNKNOWN, district: UNKNOWN, street: UNKNOWN, grid: UNKNOWN },
  owner: { org: UNKNOWN, person: "", phone: "" },
};

/**
 * Pushed to WebSocket clients. Objects are the manager's live records: serialise them at once
 * and never mutate them.
 */
export type AlarmEvent =
  | { type: "alarm"; alarm: Alarm }
  | { type: "incident"; incident: Incident }
  | { type: "flood"; position: string; active: boolean; rate: number; ts: number }
  | { type: "audit"; entry: AuditEntry };
export type AlarmListener = (event: AlarmEvent) => void;

/** Asset maintenance mode (suppression by design). */
export interface MaintenanceEntry {
  assetId: string;
  since: number;
  by: string;
  reason: string;
}

/** Per alarm point state that outlives a single alarm: shelving and out of service. */
export interface PointFlags {
  key: string;
  sourceId: string;
  detector: DetectorName;
  rule?: string;
  shelved?: { until: number; by: string; reason: string };
  outOfService?: { since: number; by: string; reason: string };
}

/** Everything that survives a restart (snapshot content). */
export interface PersistedState {
  version: 1;
  savedAt: number;
  alarms: Alarm[];
  incidents: Incident[];
  audit: AuditEntry[];
  points: PointFlags[];
  maintenance: MaintenanceEntry[];
  counters: { alarm: number; incident: number };
}

/**
 * One journal line. Records are whole-object upserts, so replay is idempotent and the last
 * record of an id wins. `keepEvidence` alarm records carry `evidence: []` and keep the evidence
 * of the previous record of that alarm (evidence is written only when it changes).
 */
export type JournalRecord =
  | { t: "alarm"; alarm: Alarm; keepEvidence?: true }
  | { t: "incident"; incident: Incident }
  | { t: "audit"; entry: AuditEntry }
  | { t: "point"; point: PointFlags }
  | { t: "maintenance"; assetId: string; entry: MaintenanceEntry | null };

/** The persistence port the manager writes to (AlarmStore implements it). */
export interface AlarmJournal {
  /** State read at open; undefined when the state directory was empty. */
  readonly restored: PersistedState | undefined;
  /** Queue a record (serialised now); written and fsynced within the store's batch interval. */
  append(record: JournalRecord): void;
  /** Resolves once every record appended so far is on disk (fsynced). */
  sync(): Promise<void>;
  /** Source of the snapshot for compaction. */
  attach(snapshot: () => PersistedState): void;
}
