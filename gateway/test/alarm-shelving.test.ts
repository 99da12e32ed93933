import { describe, expect, it } from "vitest";
import { harness, must, NO_DELAYS, OPERATOR } from "./alarm-harness";

const HOUR_S = 3600;

describe("shelving (operator, always expires)", () => {
  it("re-annunciates as unack when shelving expires while the condition is still active", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "red");
    const id = h.latest("S-1")?.id ?? "?";
    must(await h.mgr.acknowledge(id, OPERATOR));
    const shelved = must(await h.mgr.shelve(id, OPERATOR, { durationS: 600, reason: "crew on site" }));
    expect(shelved).toMatchObject({ state: "ack", shelved: { until: h.now() + 600_000, by: "li.wei" } });
    expect(h.mgr.stats().annunciated).toBe(0);
    h.advance(599_999);
    expect(h.mgr.alarm(id)?.shelved).toBeDefined();
    h.advance(1);
    const a = h.mgr.alarm(id);
    expect(a).toMatchObject({ state: "unack", active: true, shelved: undefined });
    expect(a?.ackedBy).toBeUndefined();
    expect(h.ofType("alarm").at(-1)?.alarm).toMatchObject({ id, state: "unack" });
    expect(h.mgr.audit().at(-1)).toMatchObject({ action: "unshelve", actor: "system", target: id });
  });

  it("closes the alarm silently when the condition cleared while shelved, and it stays closed at expiry", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "orange");
    const id = h.latest("S-1")?.id ?? "?";
    must(await h.mgr.shelve(id, OPERATOR, { durationS: 60, reason: "nuisance" }));
    h.cond("S-1", "normal");
    expect(h.mgr.alarm(id)).toMatchObject({ state: "normal", active: false });
    h.advance(60_000);
    expect(h.mgr.alarm(id)?.state).toBe("normal");
    expect(h.mgr.alarms()).toEqual([]);
  });

  it("keeps the point shelved across alarms: a new activation is tracked, shelved, not annunciated", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "red");
    const first = h.latest("S-1")?.id ?? "?";
    must(await h.mgr.shelve(first, OPERATOR, { durationS: HOUR_S, reason: "calibration" }));
    h.cond("S-1", "normal");
    h.cond("S-1", "red");
    const second = h.latest("S-1");
    expect(second?.id).not.toBe(first);
    expect(second).toMatchObject({ state: "unack", shelved: { reason: "calibration" } });
    expect(second?.incidentId).toBeUndefined(); // not annunciated: opens no incident
    expect(h.mgr.incidents().map((i) => i.alarmIds)).toEqual([[first]]);
  });

  it("unshelve by the operator re-annunciates an active alarm at once", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "yellow");
    const id = h.latest("S-1")?.id ?? "?";
    must(await h.mgr.acknowledge(id, OPERATOR));
    must(await h.mgr.shelve(id, OPERATOR, { durationS: HOUR_S, reason: "x" }));
    const a = must(await h.mgr.unshelve(id, OPERATOR));
    expect(a).toMatchObject({ id, state: "unack", shelved: undefined });
    expect(await h.mgr.unshelve(id, OPERATOR)).toMatchObject({ ok: false, code: "INVALID_STATE" });
  });

  // prettier-ignore
  const bad: [string, number, string, "BAD_REQUEST" | "INVALID_STATE" | "NOT_FOUND"][] = [
    ["zero duration",        0,               "r", "BAD_REQUEST"],
    ["negative duration",    -5,              "r", "BAD_REQUEST"],
    ["over 24 h",            24 * HOUR_S + 1, "r", "BAD_REQUEST"],
    ["NaN duration",         Number.NaN,      "r", "BAD_REQUEST"],
    ["empty reason",         60,              "",  "BAD_REQUEST"],
    ["blank reason",         60,              "  ", "BAD_REQUEST"],
  ];
  it.each(bad)("refuses %s", async (_name, durationS, reason, code) => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "red");
    const r = await h.mgr.shelve(h.latest("S-1")?.id ?? "?", OPERATOR, { durationS, reason });
    expect(r).toMatchObject({ ok: false, code });
    expect(h.latest("S-1")?.shelved).toBeUndefined();
  });

  it("allows exactly 24 h and refuses closed, out-of-service and unknown alarms", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "red");
    h.cond("S-3", "red");
    const id = h.latest("S-1")?.id ?? "?";
    must(await h.mgr.shelve(id, OPERATOR, { durationS: 24 * HOUR_S, reason: "max" }));
    const oos = h.latest("S-3")?.id ?? "?";
    must(await h.mgr.outOfService(oos, OPERATOR, "sensor replaced"));
    expect(await h.mgr.shelve(oos, OPERATOR, { durationS: 60, reason: "r" })).toMatchObject({
      code: "INVALID_STATE",
    });
    expect(await h.mgr.shelve("A-x-1", OPERATOR, { durationS: 60, reason: "r" })).toMatchObject({
      code: "NOT_FOUND",
    });
    h.cond("S-2", "red");
    const s2 = h.latest("S-2")?.id ?? "?";
    must(await h.mgr.acknowledge(s2, OPERATOR));
    h.cond("S-2", "normal");
    expect(await h.mgr.shelve(s2, OPERATOR, { durationS: 60, reason: "r" })).toMatchObject({
      code: "INVALID_STATE",
    });
  });
});

describe("suppression by design (asset maintenance mode)", () => {
  it("suppresses open and new alarms of the asset, opens no incident, and re-annunciates on exit", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "yellow");
    const open = h.latest("S-1")?.id ?? "?";
    must(await h.mgr.acknowledge(open, OPERATOR));
    const r = must(await h.mgr.setMaintenance("GPS-001", true, OPERATOR, "valve replacement WO-17"));
    expect(r).toEqual({ assetId: "GPS-001", on: true, alarms: 1 });
    expect(h.mgr.alarm(open)).toMatchObject({ suppressed: true, state: "ack" });
    h.cond("S-2", "red");
    expect(h.latest("S-2")).toMatchObject({ suppressed: true, state: "unack", active: true });
    expect(h.mgr.incidents()).toEqual([]);
    h.cond("S-3", "red"); // another asset: not suppressed
    expect(h.latest("S-3")?.suppressed).toBe(false);
    h.cond("S-2", "normal"); // cleared during maintenance: closes without an ack
    expect(h.latest("S-2")?.state).toBe("normal");
    must(await h.mgr.setMaintenance("GPS-001", false, OPERATOR));
    expect(h.mgr.alarm(open)).toMatchObject({ suppressed: false, state: "unack", active: true });
    expect(h.mgr.audit().map((e) => e.action)).toEqual(["ack", "suppress", "incident_open", "unsuppress"]);
  });

  it("refuses a repeated switch, a missing reason and an unknown asset", async () => {
    const h = harness(NO_DELAYS, { knownAsset: (id) => id === "GPS-001" });
    expect(await h.mgr.setMaintenance("GPS-001", false, OPERATOR)).toMatchObject({ code: "INVALID_STATE" });
    expect(await h.mgr.setMaintenance("GPS-001", true, OPERATOR)).toMatchObject({ code: "BAD_REQUEST" });
    expect(await h.mgr.setMaintenance("NOPE-1", true, OPERATOR, "x")).toMatchObject({ code: "NOT_FOUND" });
    must(await h.mgr.setMaintenance("GPS-001", true, OPERATOR, "x"));
    expect(await h.mgr.setMaintenance("GPS-001", true, OPERATOR, "x")).toMatchObject({
      code: "INVALID_STATE",
    });
    expect(h.mgr.maintenance()).toEqual([{ assetId: "GPS-001", since: h.now(), by: "li.wei", reason: "x" }]);
  });
});

describe("out of service (per alarm point)", () => {
  it("hides the point's alarms until returned to service, then re-annunciates an active one", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "orange");
    const id = h.latest("S-1")?.id ?? "?";
    must(await h.mgr.acknowledge(id, OPERATOR));
    must(await h.mgr.outOfService(id, OPERATOR, "sensor being replaced"));
    expect(h.mgr.alarm(id)).toMatchObject({ outOfService: true });
    expect(await h.mgr.outOfService(id, OPERATOR, "again")).toMatchObject({ code: "INVALID_STATE" });
    h.cond("S-1", "red"); // still tracked while out of service
    expect(h.mgr.alarm(id)).toMatchObject({ level: "red", outOfService: true });
    h.cond("S-1", "red", { detector: "rate" }); // another point of the sensor
    expect(h.latest("S-1", "rate")?.outOfService).toBe(false);
    const back = must(await h.mgr.returnToService(id, OPERATOR));
    expect(back).toMatchObject({ id, outOfService: false, state: "unack", level: "red" });
    expect(await h.mgr.returnToService(id, OPERATOR)).toMatchObject({ code: "INVALID_STATE" });
  });

  it("can take a point out of service through a closed alarm's id; new alarms of the key stay hidden", async () => {
    const h = harness(NO_DELAYS);
    h.cond("S-1", "red");
    const id = h.latest("S-1")?.id ?? "?";
    h.cond("S-1", "normal");
    must(await h.mgr.acknowledge(id, OPERATOR));
    must(await h.mgr.outOfService(id, OPERATOR, "decommissioned"));
    h.cond("S-1", "red");
    expect(h.latest("S-1")).toMatchObject({ outOfService: true, state: "unack" });
    expect(h.mgr.stats()).toMatchObject({ outOfService: 1, annunciated: 0 });
  });
});
