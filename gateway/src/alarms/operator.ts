/**
 * Operator actions on alarms: acknowledge, shelve/unshelve, out of service/return to service,
 * and asset maintenance mode (suppression by design). Checks: see access.ts. Each successful
 * action changes state, writes the audit entry and pushes the change; nothing throws for a
 * user error.
 */
import type { Alarm } from "@citytwin/model";
import { auditAction as audit, authorize, requireText as text } from "./access";
import type { AlarmCore } from "./core";
import { regroupUnder, returnToAnnunciation } from "./engine";
import { nextState } from "./lifecycle";
import type { AlarmPoint } from "./point";
import { fail, ok, type ActionResult, type Principal } from "./types";

export interface MaintenanceResult {
  assetId: string;
  on: boolean;
  /** Open alarms of the asset whose suppression changed. */
  alarms: number;
}

function findAlarm(core: AlarmCore, id: string): ActionResult<{ a: Alarm; p: AlarmPoint }> {
  const a = core.book.get(id);
  return a === undefined ? fail("NOT_FOUND", `no alarm ${id}`) : ok({ a, p: core.book.pointFor(a) });
}

export function acknowledge(
  core: AlarmCore,
  id: string,
  who: Principal,
  now: number,
  comment?: string,
): ActionResult<Alarm> {
  const bad =
    authorize(who, core.cfg.operatorRoles, "acknowledge alarms") ??
    (comment === undefined ? undefined : text(comment, "comment", 500));
  if (bad) return bad;
  const found = findAlarm(core, id);
  if (!found.ok) return found;
  const { a } = found.value;
  const state = nextState(a.state, "ack");
  if (state === undefined) return fail("INVALID_STATE", `alarm ${id} is ${a.state}; nothing to acknowledge`);
  a.state = state;
  a.ackedAt = now;
  a.ackedBy = who.name;
  a.updatedAt = now;
  if (state === "normal") core.close(a);
  audit(core, who, now, "ack", id, comment);
  core.alarmChanged(a, { operator: true });
  return ok(a);
}

export function shelve(
  core: AlarmCore,
  id: string,
  who: Principal,
  req: { durationS: number; reason: string },
  now: number,
): ActionResult<Alarm> {
  const maxS = core.cfg.maxShelveMs / 1000;
  const bad =
    authorize(who, core.cfg.operatorRoles, "shelve alarms") ??
    text(req?.reason, "reason", 500) ??
    (Number.isFinite(req.durationS) && req.durationS > 0 && req.durationS <= maxS
      ? undefined
      : fail("BAD_REQUEST", `durationS must be > 0 and ≤ ${maxS}`));
  if (bad) return bad;
  const found = findAlarm(core, id);
  if (!found.ok) return found;
  const { a, p } = found.value;
  if (a.state === "normal") return fail("INVALID_STATE", `alarm ${id} is closed`);
  if (p.outOfService !== undefined) return fail("INVALID_STATE", `alarm point ${a.key} is out of service`);
  const again = p.shelved !== undefined;
  p.shelved = { until: now + req.durationS * 1000, by: who.name, reason: req.reason };
  core.pointFlagsChanged(p);
  core.syncFlags(a, p);
  a.updatedAt = now;
  audit(
    core,
    who,
    now,
    "shelve",
    id,
    `${again ? "re-shelved" : "shelved"} until ${new Date(p.shelved.until).toISOString()}: ${req.reason}`,
  );
  core.alarmChanged(a, { operator: true });
  regroupUnder(core, a, now, true);
  return ok(a);
}

export function unshelve(core: AlarmCore, id: string, who: Principal, now: number): ActionResult<Alarm> {
  const bad = authorize(who, core.cfg.operatorRoles, "unshelve alarms");
  if (bad) return bad;
  const found = findAlarm(core, id);
  if (!found.ok) return found;
  const { a, p } = found.value;
  if (p.shelved === undefined) return fail("INVALID_STATE", `alarm ${id} is not shelved`);
  p.shelved = undefined;
  core.pointFlagsChanged(p);
  audit(core, who, now, "unshelve", id);
  const current = core.book.openAlarmOf(p);
  if (current !== undefined) returnToAnnunciation(core, p, current, now, true);
  return ok(current ?? a);
}

export function outOfService(
  core: AlarmCore,
  id: string,
  who: Principal,
  reason: string,
  now: number,
): ActionResult<Alarm> {
  const bad =
    authorize(who, core.cfg.operatorRoles, "remove alarms from service") ?? text(reason, "reason", 500);
  if (bad) return bad;
  const found = findAlarm(core, id);
  if (!found.ok) return found;
  const { a, p } = found.value;
  if (p.outOfService !== undefined)
    return fail("INVALID_STATE", `alarm point ${a.key} is already out of service`);
  p.outOfService = { since: now, by: who.name, reason };
  core.pointFlagsChanged(p);
  audit(core, who, now, "out_of_service", id, `${a.key}: ${reason}`);
  const current = core.book.openAlarmOf(p);
  if (current !== undefined) {
    core.syncFlags(current, p);
    current.updatedAt = now;
    core.alarmChanged(current, { operator: true });
    regroupUnder(core, current, now, true);
  }
  return ok(current ?? a);
}

export function returnToService(
  core: AlarmCore,
  id: string,
  who: Principal,
  now: number,
): ActionResult<Alarm> {
  const bad = authorize(who, core.cfg.operatorRoles, "return alarms to service");
  if (bad) return bad;
  const found = findAlarm(core, id);
  if (!found.ok) return found;
  const { a, p } = found.value;
  if (p.outOfService === undefined) return fail("INVALID_STATE", `alarm point ${a.key} is in service`);
  p.outOfService = undefined;
  core.pointFlagsChanged(p);
  audit(core, who, now, "return_to_service", id, a.key);
  const current = core.book.openAlarmOf(p);
  if (current !== undefined) returnToAnnunciation(core, p, current, now, true);
  return ok(current ?? a);
}

export function setMaintenance(
  core: AlarmCore,
  assetId: string,
  on: boolean,
  who: Principal,
  reason: string | undefined,
  now: number,
  knownAsset: ((assetId: string) => boolean) | undefined,
): ActionResult<MaintenanceResult> {
  const bad =
    authorize(who, core.cfg.maintenanceRoles, "switch maintenance mode") ??
    text(assetId, "assetId", 200) ??
    (on ? text(reason, "reason", 500) : undefined);
  if (bad) return bad;
  if (knownAsset !== undefined && !knownAsset(assetId)) return fail("NOT_FOUND", `no asset ${assetId}`);
  if (core.book.maintenance.has(assetId) === on)
    return fail("INVALID_STATE", `asset ${assetId} is ${on ? "already" : "not"} in maintenance`);
  const entry = on ? { assetId, since: now, by: who.name, reason: reason ?? "" } : null;
  if (entry) core.book.maintenance.set(assetId, entry);
  else core.book.maintenance.delete(assetId);
  core.maintenanceChanged(assetId, entry);
  audit(core, who, now, on ? "suppress" : "unsuppress", assetId, reason);
  let alarms = 0;
  for (const a of [...core.book.open.values()]) {
    const p = core.book.points.get(a.key);
    if (a.assetId !== assetId || p === undefined) continue;
    alarms++;
    if (!on) returnToAnnunciation(core, p, a, now, true);
    else {
      core.syncFlags(a, p);
      a.updatedAt = now;
      core.alarmChanged(a, { operator: true });
      regroupUnder(core, a, now, true);
    }
  }
  return ok({ assetId, on, alarms });
}
