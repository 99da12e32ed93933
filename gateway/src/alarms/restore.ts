/**
 * Snapshot out of, and restore into, an AlarmCore. On restore an active alarm is assumed still
 * active until its detector says otherwise; if no condition for its point arrives within
 * `restoreGraceMs` the point is taken as normal and the alarm clears through the usual
 * off-delay (to rtn_unack when it was unacknowledged: the operator still has to see it).
 */
import type { AlarmCore } from "./core";
import { observe } from "./point";
import type { PersistedState } from "./types";

export function snapshotOf(core: AlarmCore, now: number): PersistedState {
  const points = [...core.book.points.values()]
    .filter((p) => p.shelved !== undefined || p.outOfService !== undefined)
    .map((p) => ({
      key: p.key,
      sourceId: p.sourceId,
      detector: p.detector,
      ...(p.rule === undefined ? {} : { rule: p.rule }),
      ...(p.shelved === undefined ? {} : { shelved: p.shelved }),
      ...(p.outOfService === undefined ? {} : { outOfService: p.outOfService }),
    }));
  return {
    version: 1,
    savedAt: now,
    alarms: [...core.book.closedAlarms(), ...core.book.open.values()],
    incidents: core.incidents.all(),
    audit: core.audit.all(),
    points,
    maintenance: [...core.book.maintenance.values()],
    counters: { alarm: core.book.counter, incident: core.incidents.counter },
  };
}

export function restoreInto(core: AlarmCore, s: PersistedState, now: number): void {
  const { book } = core;
  for (const m of s.maintenance) book.maintenance.set(m.assetId, m);
  for (const f of s.points) {
    const p = book.pointFor(f);
    p.shelved = f.shelved;
    p.outOfService = f.outOfService;
    if (p.shelved !== undefined) core.shelvedPoints.add(p);
  }
  for (const a of s.alarms) {
    book.add(a);
    if (a.state === "normal") continue;
    const p = book.pointFor(a);
    p.alarmId = a.id;
    core.syncFlags(a, p);
    if (!a.active) {
      p.lastClearAt = a.clearedAt;
      continue;
    }
    observe(p, a.level, now);
    p.level = a.level;
    p.cond = {
      key: a.key,
      sourceId: a.sourceId,
      detector: a.detector,
      ...(a.rule === undefined ? {} : { rule: a.rule }),
      level: a.level,
      ts: now,
      explanation: a.explanation,
      evidenceSensorIds: a.evidence.map((e) => e.sensorId),
    };
    p.restoreUntil = now + core.cfg.restoreGraceMs;
    core.pending.add(p);
  }
  // A composite alarm's grouping scope comes back from its evidence and the sensors of the alarms
  // grouped under it (groupedUnder is restored as saved; the next change re-evaluates it).
  for (const a of book.open.values()) {
    if (a.detector === "composite") for (const e of a.evidence) book.pointFor(a).groupSensors.add(e.sensorId);
    const parent = a.groupedUnder === undefined ? undefined : book.open.get(a.groupedUnder);
    if (parent !== undefined) book.pointFor(parent).groupSensors.add(a.sourceId);
  }
  for (const i of s.incidents) core.incidents.add(i);
  core.incidents.trimClosed();
  core.audit.restore(s.audit);
  book.counter = Math.max(book.counter, s.counters.alarm);
  core.incidents.counter = Math.max(core.incidents.counter, s.counters.incident);
}
