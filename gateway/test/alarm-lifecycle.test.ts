import { describe, expect, it } from "vitest";
import { ALARM_STATES, type AlarmState, type Level } from "@citytwin/model";
import { nextState, type LifecycleEvent } from "../src/alarms/index";
import { harness, must, OPERATOR, SOURCES } from "./alarm-harness";

describe("ISA-18.2 transition table", () => {
  // Spec, written out by hand: state × event → next state ("-" = refused).
  const EVENTS: LifecycleEvent[] = ["activate", "escalate", "clear", "clear_silent", "ack", "reannunciate"];
  // prettier-ignore
  const spec: Record<AlarmState, (AlarmState | "-")[]> = {
    //          activate  escalate  clear        clear_silent  ack       reannunciate
    normal:    ["unack",  "-",      "-",         "-",          "-",      "-"],
    unack:     ["-",      "unack",  "rtn_unack", "normal",     "ack",    "unack"],
    ack:       ["-",      "unack",  "normal",    "normal",     "-",      "unack"],
    rtn_unack: ["unack",  "-",      "-",         "normal",     "normal", "normal"],
  };
  const rows = ALARM_STATES.flatMap((s) => EVENTS.map((e, i) => [s, e, spec[s][i]] as const));
  it.each(rows)("%s + %s → %s", (state, event, expected) => {
    expect(nextState(state, event) ?? "-").toBe(expected);
  });
});

type Step = Level | "ack";

describe("alarm states driven by conditions and acknowledgement (no delays)", () => {
  // name, steps (condition levels or ack), then the newest alarm of the point:
  // state, active, level, peakLevel, toggles, and how many alarm ids the point had.
  // prettier-ignore
  const rows: [string, Step[], AlarmState, boolean, Level, Level, number, number][] = [
    ["raise",                                     ["red"],                                  "unack",     true,  "red",    "red",    0, 1],
    ["ack while active",                          ["red", "ack"],                           "ack",       true,  "red",    "red",    0, 1],
    ["clear while unack",                         ["red", "normal"],                        "rtn_unack", false, "red",    "red",    0, 1],
    ["ack of rtn_unack closes",                   ["red", "normal", "ack"],                 "normal",    false, "red",    "red",    0, 1],
    ["clear while acked closes",                  ["orange", "ack", "normal"],              "normal",    false, "orange", "orange", 0, 1],
    ["re-activation of rtn_unack: same alarm",    ["red", "normal", "yellow"],              "unack",     true,  "yellow", "red",    1, 1],
    ["re-activation without ack counts toggles",  ["blue", "normal", "blue", "normal", "blue"], "unack", true,  "blue",   "blue",   2, 1],
    ["activation after close: new alarm",         ["red", "ack", "normal", "red"],          "unack",     true,  "red",    "red",    0, 2],
    ["escalation re-annunciates an acked alarm",  ["yellow", "ack", "red"],                 "unack",     true,  "red",    "red",    0, 1],
    ["de-escalation keeps the acknowledgement",   ["red", "ack", "yellow"],                 "ack",       true,  "yellow", "red",    0, 1],
    ["level change between levels: no toggle",    ["blue", "orange", "blue"],               "unack",     true,  "blue",   "orange", 0, 1],
  ];
  it.each(rows)("%s", async (_name, steps, state, active, level, peakLevel, toggles, alarms) => {
    const h = harness();
    const ids = new Set<string>();
    for (const step of steps) {
      if (step === "ack") must(await h.mgr.acknowledge(h.latest("S-1")?.id ?? "?", OPERATOR));
      else h.cond("S-1", step);
      h.advance(1000);
      const id = h.latest("S-1")?.id;
      if (id !== undefined) ids.add(id);
    }
    const a = h.latest("S-1");
    expect(a).toMatchObject({ state, active, level, peakLevel, toggles });
    expect(ids.size).toBe(alarms);
    // Open alarms are listed; closed ones are history (state=normal).
    expect(h.mgr.alarms().some((x) => x.id === a?.id)).toBe(state !== "normal");
    expect(h.mgr.alarms({ state: "normal" }).some((x) => x.id === a?.id)).toBe(state === "normal");
  });

  it.each([
    ["an acknowledged alarm", ["red", "ack"], "INVALID_STATE"],
    ["a closed alarm", ["red", "ack", "normal"], "INVALID_STATE"],
  ] as const)("refuses to acknowledge %s", async (_name, steps, code) => {
    const h = harness();
    for (const s of steps) {
      if (s === "ack") must(await h.mgr.acknowledge(h.latest("S-1")?.id ?? "?", OPERATOR));
      else h.cond("S-1", s);
    }
    const r = await h.mgr.acknowledge(h.latest("S-1")?.id ?? "?", OPERATOR);
    expect(r).toMatchObject({ ok: false, code });
  });

  it("answers NOT_FOUND for an unknown alarm id", async () => {
    const h = harness();
    expect(await h.mgr.acknowledge("A-0-999", OPERATOR)).toMatchObject({ ok: false, code: "NOT_FOUND" });
  });

  it("records who acknowledged and when", async () => {
    const h = harness();
    h.cond("S-1", "red");
    h.advance(5000);
    const a = must(await h.mgr.acknowledge(h.latest("S-1")?.id ?? "?", OPERATOR, "crew informed"));
    expect(a).toMatchObject({ ackedBy: "li.wei", ackedAt: h.now() });
    expect(h.mgr.audit().at(-1)).toMatchObject({
      action: "ack",
      actor: "li.wei",
      role: "operator",
      target: a.id,
      detail: "crew informed",
    });
  });
});

describe("what an alarm carries", () => {
  it("carries its asset, owner, hierarchy, explanation and the evidence window that raised it", () => {
    const h = harness();
    h.cond("S-1", "orange", { en: "CH4 18 %LEL rising", evidence: ["S-1", "S-2"] });
    const a = h.latest("S-1");
    expect(a).toMatchObject({
      assetId: "GPS-001",
      assetType: "GPS",
      domain: "gas",
      hierarchy: SOURCES["S-1"]?.hierarchy,
      owner: { person: "Zhang San" },
      explanation: { en: "CH4 18 %LEL rising" },
    });
    expect(a?.evidence.map((e) => e.sensorId)).toEqual(["S-1", "S-2"]);
    expect(h.evidenceCalls).toEqual([{ ids: ["S-1", "S-2"], endTs: h.now() }]);
  });

  it("re-captures evidence only when the level rises to a new peak", () => {
    const h = harness();
    h.cond("S-1", "yellow");
    h.advance(1000);
    h.cond("S-1", "red"); // new peak: captured
    h.advance(1000);
    h.cond("S-1", "yellow"); // step down: kept
    h.advance(1000);
    h.cond("S-1", "red"); // back to the same peak: kept
    h.advance(1000);
    expect(h.evidenceCalls.map((c) => c.endTs)).toEqual([h.now() - 4000, h.now() - 3000]);
    expect(h.latest("S-1")?.evidence[0]?.points).toEqual([[h.now() - 3000, 2]]);
  });

  it("raises an alarm for an unknown source with placeholder asset fields and counts the source", () => {
    const h = harness();
    h.cond("GHOST-9", "red");
    h.cond("GHOST-9", "red", { detector: "rate" });
    expect(h.latest("GHOST-9")).toMatchObject({
      assetId: "unknown",
      hierarchy: { district: "unknown" },
      state: "unack",
    });
    expect(h.mgr.stats().unknownSources).toBe(1);
  });

  it("refreshes the explanation when the detector's gist changes at the same level", () => {
    const h = harness();
    h.cond("S-1", "orange", { en: "rising" });
    h.cond("S-1", "orange", { en: "rising faster" });
    expect(h.latest("S-1")?.explanation.en).toBe("rising faster");
    expect(h.ofType("alarm").length).toBe(2);
  });
});
