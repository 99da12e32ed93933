import { describe, expect, it } from "vitest";
import type { Level } from "@citytwin/model";
import { DEFAULT_ALARM_CONFIG, resolveAlarmConfig } from "../src/alarms/index";
import { harness, must, NO_DELAYS, OPERATOR } from "./alarm-harness";

const IMMEDIATE = { blue: 0, yellow: 0, orange: 0, red: 0 };

describe("on-delay (defaults)", () => {
  // prettier-ignore
  const rows: [Level, number, boolean][] = [
    ["red",    0,      true],
    ["orange", 4_999,  false],
    ["orange", 5_000,  true],
    ["yellow", 9_999,  false],
    ["yellow", 10_000, true],
    ["blue",   14_999, false],
    ["blue",   15_000, true],
  ];
  it.each(rows)("%s held %d ms → raised %s", (level, heldMs, raised) => {
    const h = harness({});
    h.cond("S-1", level);
    if (heldMs > 0) h.advance(heldMs);
    expect(h.latest("S-1") !== undefined).toBe(raised);
  });

  it("a fleeting condition shorter than the on-delay raises nothing", () => {
    const h = harness({});
    h.cond("S-1", "yellow");
    h.advance(5_000);
    h.cond("S-1", "normal");
    h.advance(60_000);
    expect(h.latest("S-1")).toBeUndefined();
    expect(h.events).toEqual([]);
  });

  it("raises at the highest level whose own on-delay has run out", () => {
    const h = harness({});
    h.cond("S-1", "yellow");
    h.advance(1_000);
    h.cond("S-1", "orange"); // orange on-delay 5 s from here; yellow's 10 s from t0
    h.advance(4_999);
    expect(h.latest("S-1")).toBeUndefined();
    h.advance(1);
    expect(h.latest("S-1")).toMatchObject({ level: "orange", state: "unack" });
  });
});

describe("off-delay (defaults: 10 s)", () => {
  it("clears only after the condition stayed normal for the off-delay", () => {
    const h = harness({});
    h.cond("S-1", "red");
    h.cond("S-1", "normal");
    h.advance(9_999);
    expect(h.latest("S-1")).toMatchObject({ active: true, state: "unack" });
    h.advance(1);
    expect(h.latest("S-1")).toMatchObject({ active: false, state: "rtn_unack", clearedAt: h.now() });
  });

  it("absorbs fast flapping: one alarm, no toggles, one event", () => {
    const h = harness({});
    for (let i = 0; i < 10; i++) {
      h.cond("S-1", "red");
      h.advance(1_000);
      h.cond("S-1", "normal");
      h.advance(1_000);
    }
    expect(h.latest("S-1")).toMatchObject({ active: true, toggles: 0 });
    expect(h.ofType("alarm")).toHaveLength(1);
  });
});

describe("re-raise deadband", () => {
  it("holds a new yellow activation until the deadband after the clear has passed, plus its on-delay", async () => {
    const h = harness({});
    h.cond("S-1", "yellow");
    h.advance(10_000);
    const first = h.latest("S-1");
    must(await h.mgr.acknowledge(first?.id ?? "?", OPERATOR));
    h.cond("S-1", "normal");
    h.advance(10_000); // off-delay → closed
    expect(h.mgr.alarm(first?.id ?? "?")?.state).toBe("normal");
    h.cond("S-1", "yellow");
    const wait = DEFAULT_ALARM_CONFIG.reraiseDeadbandMs.yellow + DEFAULT_ALARM_CONFIG.onDelayMs.yellow;
    h.advance(wait - 1);
    expect(h.latest("S-1")?.id).toBe(first?.id);
    h.advance(1);
    expect(h.latest("S-1")).toMatchObject({ state: "unack", level: "yellow" });
    expect(h.latest("S-1")?.id).not.toBe(first?.id);
  });

  it("red has no deadband: it raises again at once", async () => {
    const h = harness({});
    h.cond("S-1", "red");
    must(await h.mgr.acknowledge(h.latest("S-1")?.id ?? "?", OPERATOR));
    h.cond("S-1", "normal");
    h.advance(10_000);
    h.cond("S-1", "red");
    expect(h.mgr.alarms({ activeOnly: true })).toHaveLength(1);
    expect(h.mgr.alarms({ state: "normal" })).toHaveLength(1);
  });
});

describe("escalation and de-escalation timers (defaults, on-delays off)", () => {
  // prettier-ignore
  const rows: [Level, Level, number][] = [
    ["orange", "red",    DEFAULT_ALARM_CONFIG.escalateDelayMs.red],
    ["yellow", "orange", DEFAULT_ALARM_CONFIG.escalateDelayMs.orange],
    ["blue",   "yellow", DEFAULT_ALARM_CONFIG.escalateDelayMs.yellow],
    ["blue",   "red",    DEFAULT_ALARM_CONFIG.escalateDelayMs.red],
  ];
  it.each(rows)("%s → %s after %d ms", (from, to, delay) => {
    const h = harness({ onDelayMs: IMMEDIATE });
    h.cond("S-1", from);
    h.cond("S-1", to);
    if (delay > 0) {
      h.advance(delay - 1);
      expect(h.latest("S-1")?.level).toBe(from);
      h.advance(1);
    }
    expect(h.latest("S-1")).toMatchObject({ level: to, peakLevel: to, state: "unack" });
  });

  it("a higher level that does not persist is not annunciated", () => {
    const h = harness({ onDelayMs: IMMEDIATE });
    h.cond("S-1", "yellow");
    h.cond("S-1", "orange");
    h.advance(4_000);
    h.cond("S-1", "yellow");
    h.advance(60_000);
    expect(h.latest("S-1")).toMatchObject({ level: "yellow", peakLevel: "yellow" });
  });

  it("steps down only after the lower level persisted the de-escalation delay, keeping the ack", async () => {
    const h = harness({ onDelayMs: IMMEDIATE });
    h.cond("S-1", "red");
    must(await h.mgr.acknowledge(h.latest("S-1")?.id ?? "?", OPERATOR));
    h.cond("S-1", "yellow");
    h.advance(59_999);
    expect(h.latest("S-1")?.level).toBe("red");
    h.advance(1);
    expect(h.latest("S-1")).toMatchObject({ level: "yellow", peakLevel: "red", state: "ack" });
  });

  it("steps down level by level as each lower level has persisted", () => {
    const h = harness({ onDelayMs: IMMEDIATE });
    h.cond("S-1", "red");
    h.cond("S-1", "orange"); // below red from t0
    h.advance(50_000);
    h.cond("S-1", "yellow"); // below orange from t0+50 s
    h.advance(10_000);
    expect(h.latest("S-1")?.level).toBe("orange");
    h.advance(49_999);
    expect(h.latest("S-1")?.level).toBe("orange");
    h.advance(1);
    expect(h.latest("S-1")?.level).toBe("yellow");
  });
});

describe("chattering (ISA-18.2: ≥ 3 activations in 60 s)", () => {
  // Condition alternates active/normal with this half-period, three activations.
  // prettier-ignore
  const rows: [number, boolean][] = [
    [1_000,  true],
    [10_000, true],
    [14_999, true],  // activations at 0, 29.998 s, 59.996 s: inside 60 s
    [15_000, false], // activations at 0, 30 s, 60 s: the first is out of the window
    [31_000, false],
  ];
  it.each(rows)("half-period %d ms → chattering %s", (half, chattering) => {
    const h = harness(NO_DELAYS);
    for (let i = 0; i < 3; i++) {
      if (i > 0) {
        h.cond("S-1", "normal");
        h.advance(half);
      }
      h.cond("S-1", "red");
      h.advance(half);
    }
    expect(h.mgr.stats().chattering).toEqual({ points: chattering ? 1 : 0, episodes: chattering ? 1 : 0 });
    expect(h.latest("S-1")?.toggles).toBe(2);
  });

  it("latches a chattering alarm active until the condition has been quiet for chatterQuietMs", () => {
    const h = harness(NO_DELAYS);
    for (let i = 0; i < 3; i++) {
      h.cond("S-1", "red");
      h.advance(1_000);
      h.cond("S-1", "normal");
      h.advance(1_000);
    }
    const clearsBefore = h.ofType("alarm").filter((e) => !e.alarm.active).length;
    expect(clearsBefore).toBe(2); // the two clears before the latch
    // Latched: more flapping produces no clears.
    for (let i = 0; i < 5; i++) {
      h.cond("S-1", "red");
      h.advance(1_000);
      h.cond("S-1", "normal");
      h.advance(1_000);
    }
    expect(h.ofType("alarm").filter((e) => !e.alarm.active)).toHaveLength(2);
    h.advance(DEFAULT_ALARM_CONFIG.chatterQuietMs - 1_000 - 1); // quiet since the last normal
    expect(h.latest("S-1")?.active).toBe(true);
    h.advance(1);
    expect(h.latest("S-1")).toMatchObject({ active: false, state: "rtn_unack" });
    expect(h.mgr.stats().chattering).toEqual({ points: 0, episodes: 1 });
  });
});

describe("configuration", () => {
  it("overlays per-level overrides on the defaults and rejects impossible values", () => {
    const cfg = resolveAlarmConfig({ onDelayMs: { blue: 1_000 }, floodThreshold: 20 });
    expect(cfg.onDelayMs).toEqual({ ...DEFAULT_ALARM_CONFIG.onDelayMs, blue: 1_000 });
    expect(cfg.floodThreshold).toBe(20);
    expect(() => resolveAlarmConfig({ offDelayMs: { red: -1 } })).toThrow(/offDelayMs\.red/);
    expect(() => resolveAlarmConfig({ chatterCount: 0 })).toThrow(/chatterCount/);
    expect(() => resolveAlarmConfig({ floodEndBelow: 11 })).toThrow(/floodEndBelow/);
  });
});
