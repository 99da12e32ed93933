/**
 * Operator actions on incidents: open for an alarm, dispatch (assign), handle, close (with a
 * note), note.
 * Checks: see access.ts; the state rules are IncidentBook's (incidents.ts). Every action
 * runs the same way (`incidentAction`): role and argument checks, find, change, audit, push.
 */
import type { AuditAction, Incident } from "@citytwin/model";
import { auditAction as audit, authorize, requireText as text } from "./access";
import type { AlarmCore } from "./core";
import { fail, ok, type ActionResult, type Principal } from "./types";

interface Change {
  action: AuditAction;
  detail?: string;
}

function incidentAction(
  core: AlarmCore,
  id: string,
  who: Principal,
  now: number,
  what: string,
  check: ActionResult<never> | undefined,
  change: (i: Incident) => ActionResult<Change>,
): ActionResult<Incident> {
  const bad = authorize(who, core.cfg.operatorRoles, what) ?? check;
  if (bad) return bad;
  const found = core.incidents.get(id);
  if (found === undefined) return fail("NOT_FOUND", `no incident ${id}`);
  const r = change(found);
  if (!r.ok) return r;
  audit(core, who, now, r.value.action, id, r.value.detail);
  core.incidentChanged(found);
  return ok(found);
}

export function dispatchIncident(
  core: AlarmCore,
  id: string,
  who: Principal,
  assignee: string,
  now: number,
): ActionResult<Incident> {
  return incidentAction(core, id, who, now, "dispatch incidents", text(assignee, "assignee", 200), (i) => {
    const r = core.incidents.dispatch(i, assignee, now);
    return r.ok ? ok({ action: r.value, detail: assignee }) : r;
  });
}

export function handleIncident(
  core: AlarmCore,
  id: string,
  who: Principal,
  now: number,
): ActionResult<Incident> {
  return incidentAction(core, id, who, now, "handle incidents", undefined, (i) => {
    const r = core.incidents.handle(i, who.name, now);
    return r.ok ? ok({ action: "incident_handle", detail: i.assignee }) : r;
  });
}

export function closeIncident(
  core: AlarmCore,
  id: string,
  who: Principal,
  note: string,
  now: number,
): ActionResult<Incident> {
  return incidentAction(core, id, who, now, "close incidents", text(note, "note", 2000), (i) => {
    const unacked = i.alarmIds.filter((aid) => core.book.open.get(aid)?.state === "unack");
    const r = core.incidents.close(i, note, who.name, now, unacked);
    return r.ok ? ok({ action: "incident_close", detail: note }) : r;
  });
}

export function noteIncident(
  core: AlarmCore,
  id: string,
  who: Principal,
  note: string,
  now: number,
): ActionResult<Incident> {
  return incidentAction(core, id, who, now, "add incident notes", text(note, "text", 2000), (i) => {
    core.incidents.note(i, who.name, note, now);
    return ok({ action: "incident_note", detail: note.length > 200 ? `${note.slice(0, 200)}…` : note });
  });
}

/**
 * An operator opens an incident for an alarm: the alarm joins its asset's open incident, or a
 * new one is opened (audited `incident_open` either way; the alarm's `incidentId` is set and
 * both changes are pushed). An alarm already in an open incident answers that incident, unchanged.
 */
export function openIncidentForAlarm(
  core: AlarmCore,
  alarmId: string,
  who: Principal,
  now: number,
): ActionResult<Incident> {
  const bad = authorize(who, core.cfg.operatorRoles, "open incidents");
  if (bad) return bad;
  const a = core.book.get(alarmId);
  if (a === undefined) return fail("NOT_FOUND", `no alarm ${alarmId}`);
  const current = a.incidentId === undefined ? undefined : core.incidents.get(a.incidentId);
  if (current !== undefined && current.state !== "closed") return ok(current);
  let incident = core.incidents.openFor([a.assetId]);
  const joined = incident !== undefined;
  if (incident !== undefined) core.incidents.join(incident, a, now);
  else incident = core.incidents.open(a, now);
  audit(
    core,
    who,
    now,
    "incident_open",
    incident.id,
    `alarm ${a.id} (${a.level}) on ${a.assetId}${joined ? ", joined the open incident" : ""}`,
  );
  a.incidentId = incident.id;
  a.updatedAt = now;
  core.alarmChanged(a, { operator: true });
  core.incidentChanged(incident);
  return ok(incident);
}
