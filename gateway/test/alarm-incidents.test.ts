import { describe, expect, it } from "vitest";
import type { Level } from "@citytwin/model";
import { harness, must, NO_DELAYS, OPERATOR } from "./alarm-harness";

describe("alarms open incidents", () => {
  // prettier-ignore
  const rows: [Level, boolean][] = [["blue", false], ["yellow", false], ["orange", true], ["red", true]];
  it.each(rows)("a %s alarm opens an incident: %s", (level, opens) => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", level);
    const a = h.latest("S-1");
    expect(h.mgr.incidents()).toHaveLength(opens ? 1 : 0);
    if (!opens) return expect(a?.incidentId).toBeUndefined();
    const i = h.mgr.incident(a?.incidentId ?? "?");
    expect(i).toMatchObject({
      state: "dispatch",
      assetId: "GPS-001",
      level,
      alarmIds: [a?.id],
      owner: { person: "Zhang San" },
      hierarchy: { district: "Binhu" },
    });
    expect(h.mgr.audit()).toEqual([
      expect.objectContaining({ action: "incident_open", actor: "system", target: i?.id }),
    ]);
  });

  it("joins the open incident of the same asset and follows the highest level", () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "orange");
    h.cond("S-2", "red"); // same asset GPS-001
    h.cond("S-3", "orange"); // WMN-002: its own incident
    const [gas, water] = [h.latest("S-1"), h.latest("S-3")];
    expect(h.latest("S-2")?.incidentId).toBe(gas?.incidentId);
    expect(h.mgr.incident(gas?.incidentId ?? "?")).toMatchObject({
      level: "red",
      alarmIds: [gas?.id, h.latest("S-2")?.id],
    });
    expect(water?.incidentId).not.toBe(gas?.incidentId);
    expect(h.mgr.incidents()).toHaveLength(2);
  });

  it("opens an incident when a lower alarm escalates to the incident level", () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "yellow");
    expect(h.mgr.incidents()).toEqual([]);
    h.cond("S-1", "orange");
    expect(h.mgr.incidents()).toHaveLength(1);
    expect(h.latest("S-1")?.incidentId).toBe(h.mgr.incidents()[0]?.id);
  });

  it("a composite alarm of any level opens one, or joins the incident of an asset among its evidence", () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "red");
    const gasIncident = h.latest("S-1")?.incidentId;
    // Anchored on the water main (no incident), evidence on the gas pipe's sensor: joins the gas incident.
    h.cond("WMN-002", "yellow", { detector: "composite", rule: "gas_in_water", evidence: ["S-2", "S-3"] });
    const joined = h.mgr.alarms().find((a) => a.rule === "gas_in_water");
    expect(joined?.incidentId).toBe(gasIncident);
    expect(h.mgr.incident(gasIncident ?? "?")?.alarmIds).toHaveLength(2);
    // A blue composite alarm whose assets have no open incident opens its own.
    h.cond("WMN-002", "blue", { detector: "composite", rule: "pipe_burst", evidence: ["S-3"] });
    const own = h.mgr.alarms().find((a) => a.rule === "pipe_burst");
    expect(h.mgr.incident(own?.incidentId ?? "?")).toMatchObject({ assetId: "WMN-002", level: "blue" });
    expect(h.mgr.incidents()).toHaveLength(2);
  });
});

describe("incident life cycle: dispatch → handling → closed", () => {
  it("dispatches, reassigns, handles, refuses to close over an unacknowledged alarm, closes, takes notes", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "red");
    const alarmId = h.latest("S-1")?.id ?? "?";
    const id = h.latest("S-1")?.incidentId ?? "?";
    expect(must(await h.mgr.dispatchIncident(id, OPERATOR, "crew 3"))).toMatchObject({
      state: "dispatch",
      assignee: "crew 3",
    });
    must(await h.mgr.dispatchIncident(id, OPERATOR, "crew 5"));
    expect(must(await h.mgr.handleIncident(id, OPERATOR))).toMatchObject({
      state: "handling",
      assignee: "crew 5",
    });
    expect(await h.mgr.handleIncident(id, OPERATOR)).toMatchObject({ ok: false, code: "INVALID_STATE" });
    expect(await h.mgr.closeIncident(id, OPERATOR, "done")).toMatchObject({
      ok: false,
      code: "INVALID_STATE",
    });
    expect(await h.mgr.closeIncident(id, OPERATOR, "")).toMatchObject({ ok: false, code: "BAD_REQUEST" });
    must(await h.mgr.acknowledge(alarmId, OPERATOR));
    h.advance(5_000);
    const closed = must(await h.mgr.closeIncident(id, OPERATOR, "valve closed, leak sealed"));
    expect(closed).toMatchObject({
      state: "closed",
      closedAt: h.now(),
      notes: [{ by: "li.wei", text: "valve closed, leak sealed" }],
    });
    expect(await h.mgr.closeIncident(id, OPERATOR, "again")).toMatchObject({
      ok: false,
      code: "INVALID_STATE",
    });
    expect(await h.mgr.dispatchIncident(id, OPERATOR, "crew 1")).toMatchObject({
      ok: false,
      code: "INVALID_STATE",
    });
    must(await h.mgr.noteIncident(id, OPERATOR, "review: corrosion"));
    expect(h.mgr.incident(id)?.notes).toHaveLength(2);
    expect(await h.mgr.noteIncident("I-0-99", OPERATOR, "x")).toMatchObject({ ok: false, code: "NOT_FOUND" });
    expect(h.mgr.audit().map((e) => e.action)).toEqual([
      "incident_open",
      "incident_dispatch",
      "incident_assign",
      "incident_handle",
      "ack",
      "incident_close",
      "incident_note",
    ]);
    expect(h.mgr.incidents({ openOnly: true })).toEqual([]);
    expect(h.ofType("incident").at(-1)?.incident).toMatchObject({ id, state: "closed" });
  });

  it("handle without a dispatch assigns the operator; close from dispatch is allowed", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "red");
    const id = h.latest("S-1")?.incidentId ?? "?";
    expect(must(await h.mgr.handleIncident(id, OPERATOR))).toMatchObject({ assignee: "li.wei" });
    h.cond("S-3", "red");
    must(await h.mgr.acknowledge(h.latest("S-3")?.id ?? "?", OPERATOR));
    must(await h.mgr.closeIncident(h.latest("S-3")?.incidentId ?? "?", OPERATOR, "false alarm"));
  });

  it("after an incident closes, a new eligible alarm of the asset opens a new incident", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "red");
    const first = h.latest("S-1");
    must(await h.mgr.acknowledge(first?.id ?? "?", OPERATOR));
    must(await h.mgr.closeIncident(first?.incidentId ?? "?", OPERATOR, "ok"));
    h.cond("S-2", "orange");
    const second = h.latest("S-2")?.incidentId;
    expect(second).toBeDefined();
    expect(second).not.toBe(first?.incidentId);
    expect(h.mgr.incidents({ state: "dispatch" }).map((i) => i.id)).toEqual([second]);
  });
});

describe("audit trail", () => {
  it("numbers entries strictly increasing, pages with sinceSeq and pushes each entry", async () => {
    const h = harness(NO_DELAYS);
    for (const s of ["S-1", "S-3"]) h.cond(s, "red");
    for (const s of ["S-1", "S-3"]) must(await h.mgr.acknowledge(h.latest(s)?.id ?? "?", OPERATOR));
    const all = h.mgr.audit();
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(h.mgr.audit({ sinceSeq: 2 }).map((e) => e.seq)).toEqual([3, 4]);
    expect(h.mgr.audit({ sinceSeq: 1, limit: 2 }).map((e) => e.seq)).toEqual([2, 3]);
    expect(h.mgr.audit({ limit: 1 }).map((e) => e.seq)).toEqual([4]);
    expect(h.ofType("audit").map((e) => e.entry.seq)).toEqual([1, 2, 3, 4]);
  });

  it("keeps only the newest maxAuditEntries, without reusing sequence numbers", async () => {
    const h = harness({ ...NO_DELAYS, maxAuditEntries: 3 });
    h.cond("S-1", "red");
    const id = h.latest("S-1")?.incidentId ?? "?";
    for (let i = 0; i < 5; i++) must(await h.mgr.noteIncident(id, OPERATOR, `note ${i}`));
    expect(h.mgr.audit().map((e) => e.seq)).toEqual([4, 5, 6]);
  });
});
