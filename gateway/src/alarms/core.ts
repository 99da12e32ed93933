/**
 * Shared state of the alarm manager and the side effects every change goes through: journal
 * (persistence), listeners (WebSocket push), audit trail, and incident attachment. The engine
 * (conditions, timers) and the operator actions both work on an AlarmCore.
 *
 * Grouping (designed suppression of consequential alarms): an alarm grouped under an active
 * composite-rule alarm (`groupedUnder`) is not annunciated; see groupParentOf and
 * engine.regroupUnder.
 *
 * Flood handling: while a position is in flood, automatic changes of alarms below
 * `floodPriorityLevel` are journalled but not pushed; they are pushed (current state, once)
 * when the flood ends. Red and orange alarms and operator-caused changes are always pushed.
 */
import type { Logger } from "pino";
import { LEVEL_RANK, type Alarm, type AuditEntry, type Incident } from "@citytwin/model";
import { AuditTrail, SYSTEM_ACTOR } from "./audit";
import { AlarmBook } from "./book";
import type { AlarmConfig } from "./config";
import { FloodMonitor, type FloodChange } from "./flood";
import { IncidentBook } from "./incidents";
import type { AlarmPoint } from "./point";
import type {
  AlarmEvent,
  AlarmJournal,
  AlarmListener,
  EvidenceProvider,
  MaintenanceEntry,
  ResolveSource,
} from "./types";

export interface CoreDeps {
  cfg: AlarmConfig;
  resolveSource: ResolveSource;
  evidence: EvidenceProvider;
  /** Operator position (console) an alarm is annunciated on; floods are counted per position. */
  positionOf: (a: Alarm) => string;
  logger: Logger;
  journal: AlarmJournal | undefined;
}

export class AlarmCore {
  readonly book: AlarmBook;
  readonly incidents: IncidentBook;
  readonly audit: AuditTrail;
  readonly flood: FloodMonitor;
  /** Points whose timers may still change their level (re-evaluated on tick). */
  readonly pending = new Set<AlarmPoint>();
  readonly shelvedPoints = new Set<AlarmPoint>();
  readonly listeners = new Set<AlarmListener>();
  private readonly held = new Map<string, Alarm>();
  readonly counters = { chatterEpisodes: 0, refusedActions: 0, heldDuringFlood: 0 };

  constructor(readonly deps: CoreDeps) {
    this.book = new AlarmBook(deps.cfg.maxClosedAlarms);
    this.incidents = new IncidentBook(deps.cfg.maxClosedIncidents);
    this.audit = new AuditTrail(deps.cfg.maxAuditEntries);
    this.flood = new FloodMonitor({
      threshold: deps.cfg.floodThreshold,
      windowMs: deps.cfg.floodWindowMs,
      endBelow: deps.cfg.floodEndBelow,
    });
  }

  get cfg(): AlarmConfig {
    return this.deps.cfg;
  }

  /** Shown to operators: not shelved, not suppressed by maintenance, not out of service, not grouped. */
  annunciated(a: Alarm): boolean {
    return a.shelved === undefined && !a.suppressed && !a.outOfService && a.groupedUnder === undefined;
  }

  /**
   * Alarm grouping (designed suppression of consequential alarms): the composite-rule alarm that
   * `a` is grouped under now, if any. A parent is an open composite alarm that is active and
   * annunciated; `a` is a single-sensor alarm of one of its evidence sensors (any reported since
   * the parent was raised: AlarmPoint.groupSensors) and not of a
   * `neverGroup` kind. The earliest raised parent wins.
   */
  groupParentOf(a: Alarm): Alarm | undefined {
    if (!this.cfg.groupConsequential || a.detector === "composite" || a.state === "normal") return undefined;
    for (const n of this.cfg.neverGroup)
      if (n.detector === a.detector && LEVEL_RANK[a.level] >= LEVEL_RANK[n.level]) return undefined;
    let parent: Alarm | undefined;
    for (const c of this.book.open.values()) {
      if (c.detector !== "composite" || !c.active || !this.annunciated(c)) continue;
      if (this.book.points.get(c.key)?.groupSensors.has(a.sourceId) !== true) continue;
      if (parent === undefined || c.raisedAt < parent.raisedAt) parent = c;
    }
    return parent;
  }

  /** Sets `groupedUnder` from the current parents (see groupParentOf). */
  syncGroup(a: Alarm): void {
    const parent = this.groupParentOf(a);
    if (parent === undefined) delete a.groupedUnder;
    else a.groupedUnder = parent.id;
  }

  /** Copies the point's flags (shelved, out of service) and the asset's maintenance onto the alarm. */
  syncFlags(a: Alarm, p: AlarmPoint): void {
    a.shelved = p.shelved;
    a.suppressed = this.book.maintenance.has(a.assetId);
    a.outOfService = p.outOfService !== undefined;
  }

  alarmChanged(a: Alarm, opts: { evidence?: boolean; operator?: boolean } = {}): void {
    this.deps.journal?.append(
      opts.evidence === true
        ? { t: "alarm", alarm: a }
        : { t: "alarm", alarm: { ...a, evidence: [] }, keepEvidence: true },
    );
    const lowPriority = LEVEL_RANK[a.peakLevel] < LEVEL_RANK[this.cfg.floodPriorityLevel];
    if (opts.operator !== true && lowPriority && this.flood.isFlooding(this.deps.positionOf(a))) {
      if (!this.held.has(a.id)) this.counters.heldDuringFlood++;
      this.held.set(a.id, a);
      return;
    }
    this.held.delete(a.id);
    this.emit({ type: "alarm", alarm: a });
  }

  incidentChanged(i: Incident): void {
    this.deps.journal?.append({ t: "incident", incident: i });
    this.emit({ type: "incident", incident: i });
  }

  pointFlagsChanged(p: AlarmPoint): void {
    if (p.shelved !== undefined) this.shelvedPoints.add(p);
    else this.shelvedPoints.delete(p);
    this.deps.journal?.append({
      t: "point",
      point: {
        key: p.key,
        sourceId: p.sourceId,
        detector: p.detector,
        rule: p.rule,
        shelved: p.shelved,
        outOfService: p.outOfService,
      },
    });
  }

  maintenanceChanged(assetId: string, entry: MaintenanceEntry | null): void {
    this.deps.journal?.append({ t: "maintenance", assetId, entry });
  }

  recordAudit(e: Omit<AuditEntry, "seq">): AuditEntry {
    const entry = this.audit.append(e);
    this.deps.journal?.append({ t: "audit", entry });
    this.deps.logger.info({ audit: entry }, "alarm audit");
    this.emit({ type: "audit", entry });
    return entry;
  }

  floodChanged(c: FloodChange): void {
    this.deps.logger.warn(c, c.active ? "alarm flood started" : "alarm flood ended");
    this.emit({ type: "flood", ...c });
    if (c.active) return;
    for (const [id, a] of this.held) {
      if (this.deps.positionOf(a) !== c.position) continue;
      this.held.delete(id);
      this.emit({ type: "alarm", alarm: a });
    }
  }

  emit(e: AlarmEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.deps.logger.error({ err, event: e.type }, "alarm listener failed");
      }
    }
  }

  /** Moves a closed alarm to history. */
  close(a: Alarm): void {
    this.book.close(a);
  }

  /**
   * Incident rule: an annunciated alarm at or above `incidentLevel`, or from a composite rule,
   * joins the open incident of its asset (composite: of its asset or of any of its evidence
   * sensors' assets) or opens one. An alarm already in an open incident keeps it (its level
   * follows the alarm's peak).
   */
  attachIncident(a: Alarm, p: AlarmPoint, now: number): void {
    const current = a.incidentId === undefined ? undefined : this.incidents.get(a.incidentId);
    if (current !== undefined && current.state !== "closed") {
      if (LEVEL_RANK[a.peakLevel] > LEVEL_RANK[current.level]) {
        this.incidents.join(current, a, now);
        this.incidentChanged(current);
      }
      return;
    }
    const eligible = LEVEL_RANK[a.level] >= LEVEL_RANK[this.cfg.incidentLevel] || a.detector === "composite";
    if (!eligible || !this.annunciated(a)) return;
    const assets = [a.assetId];
    if (a.detector === "composite")
      for (const sid of p.cond?.evidenceSensorIds ?? []) {
        const assetId = this.deps.resolveSource(sid)?.assetId;
        if (assetId !== undefined && !assets.includes(assetId)) assets.push(assetId);
      }
    let incident = this.incidents.openFor(assets);
    if (incident !== undefined) this.incidents.join(incident, a, now);
    else {
      incident = this.incidents.open(a, now);
      this.recordAudit({
        ts: now,
        actor: SYSTEM_ACTOR,
        role: "admin",
        action: "incident_open",
        target: incident.id,
        detail: `alarm ${a.id} (${a.level}) on ${a.assetId}`,
      });
    }
    a.incidentId = incident.id;
    this.incidentChanged(incident);
  }
}
