import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { AlarmState, DetectorName, Level } from "@citytwin/model";
import { AlarmStore } from "../src/alarms/index";
import { harness, must, NO_DELAYS, OPERATOR, type CondOptions } from "./alarm-harness";

type H = ReturnType<typeof harness>;

/** Composite rule on gas pipe GPS-001 whose evidence is S-1 and S-2. */
const PARENT: CondOptions = { detector: "composite", rule: "gas_leak", evidence: ["S-1", "S-2"] };
const parent = (h: H, level: Level) => h.cond("GPS-001", level, PARENT);
const parentAlarm = (h: H) => h.latest("GPS-001", "composite");
const child = (h: H, level: Level, detector: DetectorName = "rate") => h.cond("S-1", level, { detector });
const childAlarm = (h: H, detector: DetectorName = "rate") => h.latest("S-1", detector);
const rate = (h: H) => h.mgr.stats().flood.positions.find((p) => p.position === "Binhu")?.rate ?? 0;

interface Case {
  name: string;
  run: (h: H) => Promise<void> | void;
  detector?: DetectorName;
  /** Expected child alarm afterwards. */
  state: AlarmState;
  grouped: boolean;
  active: boolean;
  /** Annunciations counted for the flood (parent + ungrouped children). */
  flood: number;
}

const CASES: Case[] = [
  {
    name: "child before parent: grouped when the parent activates (stays unack, stops annunciating)",
    run: (h) => {
      child(h, "yellow");
      parent(h, "orange");
    },
    state: "unack",
    grouped: true,
    active: true,
    flood: 2,
  },
  {
    name: "parent before child: grouped from its raise, not counted",
    run: (h) => {
      parent(h, "orange");
      child(h, "yellow");
    },
    state: "unack",
    grouped: true,
    active: true,
    flood: 1,
  },
  {
    name: "parent clears while child active: child annunciates again as unack",
    run: async (h) => {
      parent(h, "orange");
      child(h, "yellow");
      must(await h.mgr.acknowledge(childAlarm(h)?.id ?? "?", OPERATOR));
      parent(h, "normal");
    },
    state: "unack",
    grouped: false,
    active: true,
    flood: 1,
  },
  {
    name: "child clears while grouped: closes silently, history keeps its parent",
    run: (h) => {
      parent(h, "orange");
      child(h, "yellow");
      child(h, "normal");
    },
    state: "normal",
    grouped: true,
    active: false,
    flood: 1,
  },
  {
    name: "parent shelved: child returns to annunciation",
    run: async (h) => {
      parent(h, "orange");
      child(h, "yellow");
      must(
        await h.mgr.shelve(parentAlarm(h)?.id ?? "?", OPERATOR, { durationS: 600, reason: "crew on site" }),
      );
    },
    state: "unack",
    grouped: false,
    active: true,
    flood: 1,
  },
  {
    name: "parent unshelved again: child grouped again",
    run: async (h) => {
      parent(h, "orange");
      child(h, "yellow");
      const id = parentAlarm(h)?.id ?? "?";
      must(await h.mgr.shelve(id, OPERATOR, { durationS: 600, reason: "crew on site" }));
      must(await h.mgr.unshelve(id, OPERATOR));
    },
    state: "unack",
    grouped: true,
    active: true,
    flood: 1,
  },
  {
    name: "parent out of service: child returns to annunciation",
    run: async (h) => {
      parent(h, "orange");
      child(h, "yellow");
      must(await h.mgr.outOfService(parentAlarm(h)?.id ?? "?", OPERATOR, "rule under review"));
    },
    state: "unack",
    grouped: false,
    active: true,
    flood: 1,
  },
  {
    name: "neverGroup: a red threshold alarm stays annunciated under an active parent",
    run: (h) => {
      parent(h, "orange");
      child(h, "red", "threshold");
    },
    detector: "threshold",
    state: "unack",
    grouped: false,
    active: true,
    flood: 2,
  },
  {
    name: "neverGroup: a grouped threshold alarm escalating to red leaves the group",
    run: (h) => {
      parent(h, "orange");
      child(h, "yellow", "threshold");
      child(h, "red", "threshold");
    },
    detector: "threshold",
    state: "unack",
    grouped: false,
    active: true,
    flood: 2,
  },
  {
    name: "a sensor outside the parent's evidence is not grouped",
    run: (h) => {
      parent(h, "orange");
      h.cond("S-3", "yellow", { detector: "rate" });
      child(h, "yellow");
    },
    state: "unack",
    grouped: true,
    active: true,
    flood: 2,
  },
];

describe("alarm grouping (designed suppression of consequential alarms)", () => {
  it.each(CASES)("$name", async (c) => {
    const h = harness(NO_DELAYS);
    await c.run(h);
    const a = childAlarm(h, c.detector);
    const p = parentAlarm(h);
    expect(a).toMatchObject({ state: c.state, active: c.active });
    expect(a?.groupedUnder).toBe(c.grouped ? p?.id : undefined);
    expect(rate(h)).toBe(c.flood);
    expect(h.mgr.stats().grouped).toBe(c.grouped && c.state !== "normal" ? 1 : 0);
    // Pushed with its reference, so screens can show it under the parent.
    const pushed = h
      .ofType("alarm")
      .filter((e) => e.alarm.id === a?.id)
      .at(-1)?.alarm;
    expect(pushed?.groupedUnder).toBe(a?.groupedUnder);
  });

  it("grouped children do not open or join incidents; the parent's incident covers the asset", () => {
    const h = harness(NO_DELAYS);
    parent(h, "orange");
    child(h, "orange", "baseline");
    const p = parentAlarm(h);
    const incident = h.mgr.incident(p?.incidentId ?? "?");
    expect(incident?.alarmIds).toEqual([p?.id]);
    expect(childAlarm(h, "baseline")?.incidentId).toBeUndefined();
  });

  it("a sensor that joins the parent's evidence later is grouped then", () => {
    const h = harness(NO_DELAYS);
    h.cond("GPS-001", "orange", { ...PARENT, evidence: ["S-2"] });
    child(h, "yellow");
    expect(childAlarm(h)?.groupedUnder).toBeUndefined();
    h.cond("GPS-001", "orange", { ...PARENT, evidence: ["S-1", "S-2"], en: "S-1 joined" });
    expect(childAlarm(h)?.groupedUnder).toBe(parentAlarm(h)?.id);
  });

  it("an inactive child closes when its parent clears (returnToAnnunciation rules)", () => {
    const h = harness(NO_DELAYS);
    child(h, "yellow");
    child(h, "normal"); // rtn_unack: the operator was shown it
    parent(h, "orange");
    expect(childAlarm(h)).toMatchObject({ state: "rtn_unack", groupedUnder: parentAlarm(h)?.id });
    parent(h, "normal");
    expect(childAlarm(h)).toMatchObject({ state: "normal" });
    expect(childAlarm(h)?.groupedUnder).toBeUndefined();
  });

  it.each([
    { groupConsequential: true, flooding: false, annunciated: 1 },
    { groupConsequential: false, flooding: true, annunciated: 13 },
  ])(
    "flood count excludes grouped children (groupConsequential: $groupConsequential)",
    ({ groupConsequential, flooding, annunciated }) => {
      const h = harness({ ...NO_DELAYS, groupConsequential });
      parent(h, "orange");
      for (const s of ["S-1", "S-2"])
        for (const detector of ["rate", "baseline", "seasonal", "stuck", "impossible", "missing"] as const)
          h.cond(s, "yellow", { detector });
      expect(h.mgr.stats().flood.active).toBe(flooding);
      expect(h.mgr.stats().annunciated).toBe(annunciated);
      expect(h.mgr.stats().grouped).toBe(groupConsequential ? 12 : 0);
    },
  );

  it("persistence round-trip keeps groupedUnder, and the restored parent still releases its children", async () => {
    const dir = await mkdtemp(join(tmpdir(), "citytwin-grouping-"));
    const stores: AlarmStore[] = [];
    const open = async () => {
      const s = await AlarmStore.open(dir, { logger: pino({ level: "silent" }), fsyncIntervalMs: 60_000 });
      stores.push(s);
      return s;
    };
    try {
      const first = await open();
      const h1 = harness({ ...NO_DELAYS, restoreGraceMs: 60_000 }, { journal: first });
      parent(h1, "orange");
      child(h1, "yellow");
      const childId = childAlarm(h1)?.id;
      const parentId = parentAlarm(h1)?.id;
      expect(childAlarm(h1)?.groupedUnder).toBe(parentId);
      await first.close();

      const h2 = harness({ ...NO_DELAYS, restoreGraceMs: 60_000 }, { journal: await open() }, h1.now());
      expect(h2.mgr.alarm(childId ?? "?")?.groupedUnder).toBe(parentId);
      expect(h2.mgr.stats()).toMatchObject({ grouped: 1, annunciated: 1 });
      // The child's detector confirms it, the parent's does not: after the grace the parent
      // clears and the child annunciates again.
      child(h2, "yellow");
      h2.advance(60_000);
      h2.advance(0);
      expect(h2.mgr.alarm(parentId ?? "?")).toMatchObject({ active: false });
      expect(h2.mgr.alarm(childId ?? "?")).toMatchObject({ state: "unack", active: true });
      expect(h2.mgr.alarm(childId ?? "?")?.groupedUnder).toBeUndefined();
    } finally {
      for (const s of stores) await s.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
