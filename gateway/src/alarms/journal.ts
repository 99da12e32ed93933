/**
 * Rebuilding the persisted state: a snapshot, then the journal's records replayed in order.
 * Records are whole-object upserts (last one of an id wins; audit entries by seq), so replaying
 * records the snapshot already holds changes nothing. Every record is validated against the
 * wire schemas; an invalid one is skipped and counted. A journal whose last line has no newline
 * and does not parse was torn by a crash mid-write: it is counted and cut off.
 */
import {
  DETECTOR_NAMES,
  alarmSchema,
  auditEntrySchema,
  incidentSchema,
  type Alarm,
  type AuditEntry,
  type Incident,
} from "@citytwin/model";
import type { MaintenanceEntry, PersistedState, PointFlags } from "./types";

export interface ReplayReport {
  records: number;
  invalid: number;
  /** Unterminated last line that did not parse (cut off). */
  torn: number;
  /** Bytes of the journal up to the end of its last good line. */
  validBytes: number;
  /** The last line parsed but lacks its newline (one must be added before appending). */
  missingNewline: boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isStr = (v: unknown): v is string => typeof v === "string";
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function validFlags(v: unknown, time: "until" | "since"): boolean {
  return v === undefined || (isObj(v) && isNum(v[time]) && isStr(v.by) && isStr(v.reason));
}

function pointFlags(v: unknown): PointFlags | undefined {
  if (!isObj(v) || !isStr(v.key) || !isStr(v.sourceId)) return undefined;
  if (!(DETECTOR_NAMES as readonly unknown[]).includes(v.detector)) return undefined;
  if ((v.rule !== undefined && !isStr(v.rule)) || !validFlags(v.shelved, "until")) return undefined;
  return validFlags(v.outOfService, "since") ? (v as unknown as PointFlags) : undefined;
}

function maintenanceEntry(v: unknown): MaintenanceEntry | undefined {
  return isObj(v) && isStr(v.assetId) && isNum(v.since) && isStr(v.by) && isStr(v.reason)
    ? (v as unknown as MaintenanceEntry)
    : undefined;
}

export class StateBuilder {
  private readonly alarms = new Map<string, Alarm>();
  private readonly incidents = new Map<string, Incident>();
  private readonly audit = new Map<number, AuditEntry>();
  private readonly points = new Map<string, PointFlags>();
  private readonly maintenance = new Map<string, MaintenanceEntry>();
  private counters = { alarm: 0, incident: 0 };
  invalid = 0;

  /** Loads a snapshot document; false if it is not one. */
  loadSnapshot(doc: unknown): boolean {
    if (!isObj(doc) || doc.version !== 1) return false;
    const list = (k: string) => (Array.isArray(doc[k]) ? (doc[k] as unknown[]) : []);
    for (const alarm of list("alarms")) this.apply({ t: "alarm", alarm });
    for (const incident of list("incidents")) this.apply({ t: "incident", incident });
    for (const entry of list("audit")) this.apply({ t: "audit", entry });
    for (const point of list("points")) this.apply({ t: "point", point });
    for (const entry of list("maintenance"))
      this.apply({ t: "maintenance", assetId: isObj(entry) ? entry.assetId : undefined, entry });
    const c = doc.counters;
    if (isObj(c) && isNum(c.alarm) && isNum(c.incident))
      this.counters = { alarm: c.alarm, incident: c.incident };
    return true;
  }

  /** Applies one journal record; false (and counted) when it is not a valid record. */
  apply(rec: unknown): boolean {
    const ok = isObj(rec) && this.applyValid(rec);
    if (!ok) this.invalid++;
    return ok;
  }

  private applyValid(rec: Record<string, unknown>): boolean {
    switch (rec.t) {
      case "alarm": {
        const r = alarmSchema.safeParse(rec.alarm);
        if (!r.success) return false;
        const alarm = r.data;
        if (rec.keepEvidence === true) alarm.evidence = this.alarms.get(alarm.id)?.evidence ?? [];
        this.alarms.set(alarm.id, alarm);
        return true;
      }
      case "incident": {
        const r = incidentSchema.safeParse(rec.incident);
        if (r.success) this.incidents.set(r.data.id, r.data);
        return r.success;
      }
      case "audit": {
        const r = auditEntrySchema.safeParse(rec.entry);
        if (r.success) this.audit.set(r.data.seq, r.data);
        return r.success;
      }
      case "point": {
        const p = pointFlags(rec.point);
        if (p === undefined) return false;
        if (p.shelved === undefined && p.outOfService === undefined) this.points.delete(p.key);
        else this.points.set(p.key, p);
        return true;
      }
      case "maintenance": {
        if (!isStr(rec.assetId)) return false;
        if (rec.entry === null) this.maintenance.delete(rec.assetId);
        else {
          const m = maintenanceEntry(rec.entry);
          if (m === undefined) return false;
          this.maintenance.set(rec.assetId, m);
        }
        return true;
      }
      default:
        return false;
    }
  }

  build(savedAt: number): PersistedState {
    return {
      version: 1,
      savedAt,
      alarms: [...this.alarms.values()].sort((a, b) => a.updatedAt - b.updatedAt),
      incidents: [...this.incidents.values()],
      audit: [...this.audit.values()].sort((a, b) => a.seq - b.seq),
      points: [...this.points.values()],
      maintenance: [...this.maintenance.values()],
      counters: this.counters,
    };
  }
}

/** Replays a journal file's bytes into `builder`. */
export function replayJournal(buf: Buffer, builder: StateBuilder): ReplayReport {
  const report: ReplayReport = { records: 0, invalid: 0, torn: 0, validBytes: 0, missingNewline: false };
  let start = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl < 0 ? buf.length : nl;
    const line = buf.subarray(start, end).toString("utf8").trim();
    let parsed: unknown;
    let parses = line !== "";
    try {
      if (parses) parsed = JSON.parse(line);
    } catch {
      parses = false;
    }
    if (nl < 0 && line !== "" && !parses) {
      report.torn++;
      break;
    }
    if (parses) {
      if (builder.apply(parsed)) report.records++;
      else report.invalid++;
    } else if (line !== "") report.invalid++;
    report.validBytes = nl < 0 ? buf.length : nl + 1;
    report.missingNewline = nl < 0 && line !== "";
    start = end + 1;
  }
  return report;
}
