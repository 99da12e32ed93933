/**
 * AlarmManager: ISA-18.2 / IEC 62682 alarm management for CityTwin (docs/alarms.md).
 *
 * Input: detector Conditions (`onCondition`) and a clock tick (`tick`, about once a second;
 * the manager has no timers of its own). Output: alarms, incidents and audit entries, pushed
 * to listeners (`onChange`/`subscribe`) and, with a journal (AlarmStore), persisted.
 *
 * Operator actions are async only for durability: they change state synchronously, then
 * resolve once the journal has fsynced (so the HTTP answer comes after the disk has it). They
 * resolve to an ActionResult for every user error; they reject only if the disk write fails.
 */
import type { Logger } from "pino";
import type { Alarm, AuditEntry, Condition, Incident } from "@citytwin/model";
import type { AuditQuery } from "./audit";
import type { AlarmQuery } from "./book";
import { resolveAlarmConfig, type AlarmConfig, type AlarmConfigInput } from "./config";
import { AlarmCore } from "./core";
import { handleCondition, tickAlarms } from "./engine";
import * as incidentOps from "./incident-actions";
import type { IncidentQuery } from "./incidents";
import * as alarmOps from "./operator";
import { restoreInto, snapshotOf } from "./restore";
import { computeStats, type AlarmStats } from "./stats";
import type {
  ActionResult,
  AlarmJournal,
  AlarmListener,
  EvidenceProvider,
  MaintenanceEntry,
  PersistedState,
  Principal,
  ResolveSource,
} from "./types";

export interface AlarmManagerOptions {
  resolveSource: ResolveSource;
  evidence: EvidenceProvider;
  logger: Logger;
  /** Wall clock in ms; default Date.now. */
  now?: () => number;
  config?: AlarmConfigInput;
  onChange?: AlarmListener;
  /** Persistence (AlarmStore): state is restored from it and every change is journalled to it. */
  journal?: AlarmJournal;
  /** Operator position an alarm is annunciated on (flood counting). Default: its district. */
  positionOf?: (a: Alarm) => string;
  /** Maintenance mode for an asset the city model does not know answers NOT_FOUND. */
  knownAsset?: (assetId: string) => boolean;
}

export class AlarmManager {
  readonly config: AlarmConfig;
  private readonly core: AlarmCore;
  private readonly now: () => number;

  constructor(private readonly opts: AlarmManagerOptions) {
    this.config = resolveAlarmConfig(opts.config);
    this.now = opts.now ?? Date.now;
    this.core = new AlarmCore({
      cfg: this.config,
      resolveSource: opts.resolveSource,
      evidence: opts.evidence,
      positionOf: opts.positionOf ?? ((a) => a.hierarchy.district),
      logger: opts.logger,
      journal: opts.journal,
    });
    if (opts.onChange !== undefined) this.core.listeners.add(opts.onChange);
    const restored = opts.journal?.restored;
    if (restored !== undefined) restoreInto(this.core, restored, this.now());
    opts.journal?.attach(() => this.snapshot());
  }

  /** Adds a listener; returns its removal. */
  subscribe(listener: AlarmListener): () => void {
    this.core.listeners.add(listener);
    return () => this.core.listeners.delete(listener);
  }

  onCondition(c: Condition): void {
    handleCondition(this.core, c, this.now());
  }

  tick(now: number = this.now()): void {
    tickAlarms(this.core, now);
  }

  acknowledge(id: string, who: Principal, comment?: string): Promise<ActionResult<Alarm>> {
    return this.act("ack", who, () => alarmOps.acknowledge(this.core, id, who, this.now(), comment));
  }
  /** Shelving always expires: `durationS` from 1 s to `maxShelveMs`. */
  shelve(
    id: string,
    who: Principal,
    req: { durationS: number; reason: string },
  ): Promise<ActionResult<Alarm>> {
    return this.act("shelve", who, () => alarmOps.shelve(this.core, id, who, req, this.now()));
  }
  unshelve(id: string, who: Principal): Promise<ActionResult<Alarm>> {
    return this.act("unshelve", who, () => alarmOps.unshelve(this.core, id, who, this.now()));
  }
  /** Takes the alarm's point (its key) out of service: later alarms of the key are hidden too. */
  outOfService(id: string, who: Principal, reason: string): Promise<ActionResult<Alarm>> {
    return this.act("out_of_service", who, () =>
      alarmOps.outOfService(this.core, id, who, reason, this.now()),
    );
  }
  returnToService(id: string, who: Principal): Promise<ActionResult<Alarm>> {
    return this.act("return_to_service", who, () => alarmOps.returnToService(this.core, id, who, this.now()));
  }
  /** Maintenance mode of an asset: its alarms are suppressed by design (tracked, not annunciated). */
  setMaintenance(
    assetId: string,
    on: boolean,
    who: Principal,
    reason?: string,
  ): Promise<ActionResult<alarmOps.MaintenanceResult>> {
    return this.act(on ? "suppress" : "unsuppress", who, () =>
      alarmOps.setMaintenance(this.core, assetId, on, who, reason, this.now(), this.opts.knownAsset),
    );
  }
  /** Opens an incident for the alarm, or joins its asset's open one (incident-actions.ts). */
  openIncident(alarmId: string, who: Principal): Promise<ActionResult<Incident>> {
    return this.act("incident_open", who, () =>
      incidentOps.openIncidentForAlarm(this.core, alarmId, who, this.now()),
    );
  }
  dispatchIncident(id: string, who: Principal, assignee: string): Promise<ActionResult<Incident>> {
    return this.act("incident_dispatch", who, () =>
      incidentOps.dispatchIncident(this.core, id, who, assignee, this.now()),
    );
  }
  handleIncident(id: string, who: Principal): Promise<ActionResult<Incident>> {
    return this.act("incident_handle", who, () => incidentOps.handleIncident(this.core, id, who, this.now()));
  }
  closeIncident(id: string, who: Principal, note: string): Promise<ActionResult<Incident>> {
    return this.act("incident_close", who, () =>
      incidentOps.closeIncident(this.core, id, who, note, this.now()),
    );
  }
  noteIncident(id: string, who: Principal, text: string): Promise<ActionResult<Incident>> {
    return this.act("incident_note", who, () =>
      incidentOps.noteIncident(this.core, id, who, text, this.now()),
    );
  }

  /** Open alarms (or, with `state: "normal"`, closed ones), most urgent first. */
  alarms(q: AlarmQuery = {}): Alarm[] {
    return this.core.book.query(q);
  }
  alarm(id: string): Alarm | undefined {
    return this.core.book.get(id);
  }
  incidents(q: IncidentQuery = {}): Incident[] {
    return this.core.incidents.query(q);
  }
  incident(id: string): Incident | undefined {
    return this.core.incidents.get(id);
  }
  audit(q: AuditQuery = {}): AuditEntry[] {
    return this.core.audit.query(q);
  }
  maintenance(): MaintenanceEntry[] {
    return [...this.core.book.maintenance.values()];
  }

  /** Records an operator action taken outside the alarm manager (e.g. a remote command). */
  recordAudit(who: Principal, action: AuditEntry["action"], target: string, detail?: string): AuditEntry {
    return this.core.recordAudit({
      ts: this.now(),
      actor: who.name,
      role: who.role,
      action,
      target,
      ...(detail === undefined ? {} : { detail: detail.slice(0, 500) }),
    });
  }

  stats(): AlarmStats {
    return computeStats(this.core);
  }

  /** Everything that survives a restart (the store's compaction calls this). */
  snapshot(): PersistedState {
    return snapshotOf(this.core, this.now());
  }

  private async act<T>(action: string, who: Principal, run: () => ActionResult<T>): Promise<ActionResult<T>> {
    const result = run();
    if (!result.ok) {
      this.core.counters.refusedActions++;
      this.opts.logger.warn(
        { action, actor: who?.name, role: who?.role, code: result.code, reason: result.message },
        "alarm action refused",
      );
      return result;
    }
    await this.opts.journal?.sync();
    return result;
  }
}
