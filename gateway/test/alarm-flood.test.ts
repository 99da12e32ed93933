import { describe, expect, it } from "vitest";
import { harness, must, NO_DELAYS, OPERATOR } from "./alarm-harness";

const rateOf = (h: ReturnType<typeof harness>, position: string) =>
  h.mgr.stats().flood.positions.find((p) => p.position === position)?.rate ?? 0;

describe("alarm flood (ISA-18.2: > 10 annunciated alarms per operator position in 10 min)", () => {
  it("starts at the 11th alarm of a position within 10 minutes", () => {
    const h = harness(NO_DELAYS);
    for (let i = 0; i < 10; i++) {
      h.cond(`B-${i}`, "red");
      h.advance(50_000);
    }
    expect(h.ofType("flood")).toEqual([]);
    expect(h.mgr.stats().flood.active).toBe(false);
    h.cond("B-10", "red");
    expect(h.ofType("flood")).toEqual([
      { type: "flood", position: "Binhu", active: true, rate: 11, ts: h.now() },
    ]);
    expect(h.mgr.stats().flood).toMatchObject({ active: true, episodes: 1 });
  });

  it("counts per position: 6 + 6 alarms in two districts is no flood", () => {
    const h = harness(NO_DELAYS);
    for (let i = 0; i < 6; i++) {
      h.cond(`B-${i}`, "red");
      h.cond(`Y-${i}`, "red");
    }
    expect(h.ofType("flood")).toEqual([]);
    expect(rateOf(h, "Binhu")).toBe(6);
    expect(rateOf(h, "Yaohai")).toBe(6);
  });

  it("ends only when the rate falls below 5 per 10 minutes (hysteresis)", () => {
    const h = harness(NO_DELAYS);
    for (let i = 0; i <= 10; i++) {
      h.cond(`B-${i}`, "red");
      if (i < 10) h.advance(10_000);
    }
    const start = h.now() - 100_000; // first alarm
    // At start + 659.999 s the alarms at 60…100 s are in the window: 5, still a flood.
    h.advance(start + 659_999 - h.now());
    expect(h.mgr.stats().flood.active).toBe(true);
    h.advance(1);
    expect(h.ofType("flood").at(-1)).toEqual({
      type: "flood",
      position: "Binhu",
      active: false,
      rate: 4,
      ts: h.now(),
    });
    expect(h.mgr.stats().flood).toMatchObject({ active: false, episodes: 1 });
  });

  it("counts re-activations and escalations, not shelved alarms", async () => {
    const h = harness(NO_DELAYS);
    for (const level of ["blue", "yellow", "orange", "red"] as const) h.cond("B-0", level);
    expect(rateOf(h, "Binhu")).toBe(4);
    h.cond("B-1", "red");
    must(
      await h.mgr.shelve(h.latest("B-1")?.id ?? "?", OPERATOR, { durationS: 3600, reason: "sensor fault" }),
    );
    for (let i = 0; i < 15; i++) {
      h.cond("B-1", "normal");
      h.cond("B-1", "red");
    }
    expect(rateOf(h, "Binhu")).toBe(5);
    expect(h.mgr.alarms({ assetId: "GPS-101" })[0]).toMatchObject({
      state: "unack",
      shelved: { by: "li.wei" },
    });
  });

  it("holds back pushes of low-priority alarms during a flood, keeps tracking them, and pushes them after", () => {
    const h = harness(NO_DELAYS);
    for (let i = 0; i <= 10; i++) h.cond(`B-${i}`, "red");
    expect(h.mgr.stats().flood.active).toBe(true);
    const before = h.ofType("alarm").length;
    h.cond("B-20", "yellow");
    h.cond("B-21", "orange");
    const pushed = h.ofType("alarm").slice(before);
    expect(pushed.map((e) => e.alarm.sourceId)).toEqual(["B-21"]);
    const yellow = h.latest("B-20");
    expect(yellow).toMatchObject({ state: "unack", level: "yellow" });
    expect(h.mgr.alarms()[0]?.level).toBe("red"); // most urgent first
    expect(h.mgr.stats().flood.heldDuringFlood).toBe(1);
    h.advance(600_000);
    const after = h.events.slice(h.events.findIndex((e) => e.type === "flood" && !e.active));
    expect(after.map((e) => e.type)).toEqual(["flood", "alarm"]);
    expect(after[1]).toMatchObject({ type: "alarm", alarm: { id: yellow?.id, level: "yellow" } });
  });
});
