/**
 * The automatic side of the alarm manager: detector conditions and clock ticks move alarm
 * points, and the points' level changes move alarms through the ISA-18.2 states
 * (lifecycle.ts). Everything here runs synchronously on the caller's turn.
 */
import { LEVEL_RANK, type Alarm, type Condition, type EvidenceSeries, type Level } from "@citytwin/model";
import { SYSTEM_ACTOR } from "./audit";
import type { AlarmCore } from "./core";
import { nextState } from "./lifecycle";
import { isPending, nextLevel, noteActivation, noteClear, observe, type AlarmPoint } from "./point";
import { UNKNOWN_SOURCE } from "./types";

export function handleCondition(core: AlarmCore, c: Condition, now: number): void {
  const p = core.book.pointFor(c);
  p.restoreUntil = undefined;
  if (c.level !== "normal") p.cond = c;
  let newSensors = false;
  if (c.detector === "composite" && c.level !== "normal") {
    if (core.book.openAlarmOf(p) === undefined) p.groupSensors.clear();
    for (const id of c.evidenceSensorIds)
      if (!p.groupSensors.has(id)) {
        p.groupSensors.add(id);
        newSensors = true;
      }
  }
  observe(p, c.level, now);
  const a = core.book.openAlarmOf(p);
  if (a !== undefined && a.active && c.level === a.level && a.explanation.en !== c.explanation.en) {
    // Same level, new gist from the detector: keep the alarm's words current.
    a.explanation = c.explanation;
    a.updatedAt = now;
    core.alarmChanged(a);
  }
  step(core, p, now);
  // More sensors joined the event: their alarms join the group of the active parent.
  const parent = newSensors ? core.book.openAlarmOf(p) : undefined;
  if (parent !== undefined) regroupUnder(core, parent, now, false);
}

/** Runs the timers: delays, restore grace, shelving expiry, flood end. */
export function tickAlarms(core: AlarmCore, now: number): void {
  for (const p of core.pending) {
    if (p.restoreUntil !== undefined && now >= p.restoreUntil) {
      p.restoreUntil = undefined;
      observe(p, "normal", now);
    }
    step(core, p, now);
  }
  for (const p of core.shelvedPoints)
    if (p.shelved !== undefined && p.shelved.until <= now) expireShelving(core, p, now);
  for (const change of core.flood.evaluate(now)) core.floodChanged(change);
}

/**
 * After a flag that hid the alarm went away (unshelve, shelving expiry, maintenance off, return
 * to service): an active alarm annunciates again as unack, an inactive one closes.
 */
export function returnToAnnunciation(
  core: AlarmCore,
  p: AlarmPoint,
  a: Alarm,
  now: number,
  operator: boolean,
): void {
  const wasShown = core.annunciated(a);
  core.syncFlags(a, p);
  core.syncGroup(a);
  a.updatedAt = now;
  if (!wasShown && core.annunciated(a)) {
    a.state = nextState(a.state, "reannunciate") ?? a.state;
    a.ackedAt = undefined;
    a.ackedBy = undefined;
    if (a.state === "normal") core.close(a);
    else core.attachIncident(a, p, now);
  }
  core.alarmChanged(a, { operator });
  regroupUnder(core, a, now, operator);
}

/**
 * After a composite-rule alarm changed in a way that can make it a group parent or stop it
 * being one (activation, clear, shelving, out of service, maintenance): its consequential
 * alarms are grouped under it, or return to annunciation by the returnToAnnunciation rules.
 */
export function regroupUnder(core: AlarmCore, parent: Alarm, now: number, operator: boolean): void {
  if (parent.detector !== "composite") return;
  const sensors = core.book.points.get(parent.key)?.groupSensors;
  for (const a of [...core.book.open.values()]) {
    if (a.detector === "composite") continue;
    if (a.groupedUnder !== parent.id && sensors?.has(a.sourceId) !== true) continue;
    if (core.groupParentOf(a)?.id === a.groupedUnder) continue;
    const p = core.book.points.get(a.key);
    if (p !== undefined) returnToAnnunciation(core, p, a, now, operator);
  }
}

function step(core: AlarmCore, p: AlarmPoint, now: number): void {
  // At most one activation, one escalation and one step down can be due at once.
  for (let i = 0; i < 4; i++) {
    const to = nextLevel(p, now, core.cfg);
    if (to === p.level) break;
    const from = p.level;
    p.level = to;
    if (from === "normal") activate(core, p, to, now);
    else if (to === "normal") clear(core, p, now);
    else changeLevel(core, p, from, to, now);
  }
  if (isPending(p)) core.pending.add(p);
  else core.pending.delete(p);
}

function activate(core: AlarmCore, p: AlarmPoint, level: Level, now: number): void {
  if (noteActivation(p, now, core.cfg)) {
    core.counters.chatterEpisodes++;
    core.deps.logger.warn({ key: p.key }, "chattering alarm point: latched active until quiet");
  }
  let a = core.book.openAlarmOf(p);
  let evidence = false;
  if (a === undefined) {
    a = raise(core, p, level, now);
    evidence = true;
  } else {
    // Re-activation of a returned-to-normal, unacknowledged alarm: same alarm, one more toggle.
    a.state = nextState(a.state, "activate") ?? a.state;
    a.active = true;
    a.toggles++;
    a.level = level;
    a.clearedAt = undefined;
    a.updatedAt = now;
    if (p.cond !== undefined) a.explanation = p.cond.explanation;
    evidence = raisePeak(core, p, a, level, now);
  }
  core.syncFlags(a, p);
  core.syncGroup(a);
  if (core.annunciated(a)) countForFlood(core, a, now);
  core.attachIncident(a, p, now);
  core.alarmChanged(a, { evidence });
  regroupUnder(core, a, now, false);
}

function clear(core: AlarmCore, p: AlarmPoint, now: number): void {
  noteClear(p, now);
  const a = core.book.openAlarmOf(p);
  if (a === undefined) return;
  // The alarm keeps the level it cleared at; `active: false` says it is no longer there.
  a.state = nextState(a.state, core.annunciated(a) ? "clear" : "clear_silent") ?? a.state;
  a.active = false;
  a.clearedAt = now;
  a.updatedAt = now;
  if (a.state === "normal") core.close(a);
  core.alarmChanged(a);
  regroupUnder(core, a, now, false);
}

function changeLevel(core: AlarmCore, p: AlarmPoint, from: Level, to: Level, now: number): void {
  const a = core.book.openAlarmOf(p);
  if (a === undefined) return;
  a.level = to;
  a.updatedAt = now;
  if (p.cond?.level === to) a.explanation = p.cond.explanation;
  let evidence = false;
  if (LEVEL_RANK[to] > LEVEL_RANK[from]) {
    // Escalation: a higher warning must be acknowledged again.
    a.state = nextState(a.state, "escalate") ?? a.state;
    a.ackedAt = undefined;
    a.ackedBy = undefined;
    evidence = raisePeak(core, p, a, to, now);
  }
  // A level change can move the alarm into or out of a `neverGroup` kind (red threshold).
  core.syncGroup(a);
  if (LEVEL_RANK[to] > LEVEL_RANK[from] && core.annunciated(a)) countForFlood(core, a, now);
  core.attachIncident(a, p, now);
  core.alarmChanged(a, { evidence });
}

function raise(core: AlarmCore, p: AlarmPoint, level: Level, now: number): Alarm {
  let info = core.deps.resolveSource(p.sourceId);
  if (info === undefined) {
    if (!core.book.unknownSources.has(p.sourceId)) {
      core.book.unknownSources.add(p.sourceId);
      core.deps.logger.warn(
        { sourceId: p.sourceId, key: p.key },
        "alarm from a source the city model does not know",
      );
    }
    info = UNKNOWN_SOURCE;
  }
  const a: Alarm = {
    id: core.book.nextId(now),
    key: p.key,
    sourceId: p.sourceId,
    detector: p.detector,
    ...(p.rule === undefined ? {} : { rule: p.rule }),
    assetId: info.assetId,
    assetType: info.assetType,
    domain: info.domain,
    hierarchy: { ...info.hierarchy },
    owner: { ...info.owner },
    state: nextState("normal", "activate") ?? "unack",
    active: true,
    level,
    peakLevel: level,
    raisedAt: now,
    updatedAt: now,
    suppressed: false,
    outOfService: false,
    toggles: 0,
    explanation: p.cond?.explanation ?? { en: `${p.key} at ${level}`, zh: `${p.key} ${level}` },
    evidence: fetchEvidence(core, p, now),
  };
  core.book.add(a);
  p.alarmId = a.id;
  return a;
}

/** A new peak level re-captures the evidence (the window that raised this level). */
function raisePeak(core: AlarmCore, p: AlarmPoint, a: Alarm, level: Level, now: number): boolean {
  if (LEVEL_RANK[level] <= LEVEL_RANK[a.peakLevel]) return false;
  a.peakLevel = level;
  a.evidence = fetchEvidence(core, p, now);
  return true;
}

function fetchEvidence(core: AlarmCore, p: AlarmPoint, now: number): EvidenceSeries[] {
  const ids = p.cond?.evidenceSensorIds ?? [p.sourceId];
  try {
    return core.deps.evidence(ids, Math.max(p.cond?.ts ?? now, now));
  } catch (err) {
    core.deps.logger.error({ err, key: p.key }, "alarm evidence lookup failed");
    return [];
  }
}

function countForFlood(core: AlarmCore, a: Alarm, now: number): void {
  const change = core.flood.record(core.deps.positionOf(a), now);
  if (change !== undefined) core.floodChanged(change);
}

function expireShelving(core: AlarmCore, p: AlarmPoint, now: number): void {
  const shelved = p.shelved;
  p.shelved = undefined;
  core.pointFlagsChanged(p);
  core.recordAudit({
    ts: now,
    actor: SYSTEM_ACTOR,
    role: "admin",
    action: "unshelve",
    target: p.alarmId ?? p.key,
    detail: `shelving expired (shelved by ${shelved?.by ?? "?"}: ${shelved?.reason ?? ""})`,
  });
  const a = core.book.openAlarmOf(p);
  if (a !== undefined) returnToAnnunciation(core, p, a, now, false);
}
