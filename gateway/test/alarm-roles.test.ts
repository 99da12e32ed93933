import { describe, expect, it } from "vitest";
import type { Role } from "@citytwin/model";
import type { ActionResult, Principal } from "../src/alarms/index";
import { ADMIN, harness, must, NO_DELAYS } from "./alarm-harness";

type H = ReturnType<typeof harness>;
interface Target {
  alarm: string;
  incident: string;
}

/** A red alarm on GPS-001 (which opens an incident), prepared for each action by an admin. */
async function setup(h: H, prepare?: (h: H, t: Target) => Promise<unknown>): Promise<Target> {
  h.cond("S-1", "red");
  const a = h.latest("S-1");
  const t = { alarm: a?.id ?? "?", incident: a?.incidentId ?? "?" };
  if (prepare) await prepare(h, t);
  return t;
}

type Act = (h: H, t: Target, who: Principal) => Promise<ActionResult<unknown>>;
// prettier-ignore
const ACTIONS: [string, Act, ((h: H, t: Target) => Promise<unknown>)?][] = [
  ["acknowledge",       (h, t, w) => h.mgr.acknowledge(t.alarm, w)],
  ["shelve",            (h, t, w) => h.mgr.shelve(t.alarm, w, { durationS: 60, reason: "r" })],
  ["unshelve",          (h, t, w) => h.mgr.unshelve(t.alarm, w), (h, t) => h.mgr.shelve(t.alarm, ADMIN, { durationS: 60, reason: "r" })],
  ["out of service",    (h, t, w) => h.mgr.outOfService(t.alarm, w, "r")],
  ["return to service", (h, t, w) => h.mgr.returnToService(t.alarm, w), (h, t) => h.mgr.outOfService(t.alarm, ADMIN, "r")],
  ["maintenance on",    (h, _t, w) => h.mgr.setMaintenance("GPS-001", true, w, "r")],
  ["dispatch incident", (h, t, w) => h.mgr.dispatchIncident(t.incident, w, "crew 3")],
  ["handle incident",   (h, t, w) => h.mgr.handleIncident(t.incident, w)],
  ["close incident",    (h, t, w) => h.mgr.closeIncident(t.incident, w, "fixed"), (h, t) => h.mgr.acknowledge(t.alarm, ADMIN)],
  ["note incident",     (h, t, w) => h.mgr.noteIncident(t.incident, w, "called owner")],
];
const ROLES: [Role, boolean][] = [
  ["viewer", false],
  ["operator", true],
  ["admin", true],
];
const ROWS = ACTIONS.flatMap(([name, act, prepare]) =>
  ROLES.map(([role, allowed]) => [name, role, allowed, act, prepare] as const),
);

describe("operator actions need role operator or admin", () => {
  it.each(ROWS)("%s by %s → allowed %s", async (_name, role, allowed, act, prepare) => {
    const h = harness(NO_DELAYS);
    const t = await setup(h, prepare);
    const auditBefore = h.mgr.audit().length;
    const alarmBefore = JSON.stringify(h.mgr.alarm(t.alarm));
    const incidentBefore = JSON.stringify(h.mgr.incident(t.incident));
    const r = await act(h, t, { name: `${role}-user`, role });
    if (allowed) {
      expect(r.ok).toBe(true);
      expect(h.mgr.audit().at(-1)).toMatchObject({ actor: `${role}-user`, role });
    } else {
      expect(r).toMatchObject({ ok: false, code: "FORBIDDEN" });
      expect(h.mgr.audit()).toHaveLength(auditBefore);
      expect(JSON.stringify(h.mgr.alarm(t.alarm))).toBe(alarmBefore);
      expect(JSON.stringify(h.mgr.incident(t.incident))).toBe(incidentBefore);
      expect(h.mgr.stats().refusedActions).toBe(1);
    }
  });

  it("checks the role before the target, so a viewer cannot probe ids", async () => {
    const h = harness(NO_DELAYS);
    expect(await h.mgr.acknowledge("A-none-1", { name: "v", role: "viewer" })).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await h.mgr.closeIncident("I-none-1", { name: "v", role: "viewer" }, "x")).toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("refuses a principal without a name", async () => {
    const h = harness(NO_DELAYS);
    const t = await setup(h);
    expect(await h.mgr.acknowledge(t.alarm, { name: " ", role: "operator" })).toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(h.mgr.alarm(t.alarm)?.state).toBe("unack");
  });

  it("can restrict maintenance mode to admins", async () => {
    const h = harness({ ...NO_DELAYS, maintenanceRoles: ["admin"] });
    expect(await h.mgr.setMaintenance("GPS-001", true, { name: "op", role: "operator" }, "r")).toMatchObject({
      code: "FORBIDDEN",
    });
    must(await h.mgr.setMaintenance("GPS-001", true, ADMIN, "r"));
  });
});
