import { describe, expect, it } from "vitest";
import type { Condition } from "@citytwin/model";
import { rawConditionSink, type AlarmEvent } from "../bench/detect/scenarios/alarm-sink";
import { percentile } from "../bench/detect/scenarios/summary";

const cond = (key: string, level: Condition["level"], ts: number): Condition => ({
  key,
  sourceId: key.split("/")[0] ?? key,
  detector: "threshold",
  level,
  ts,
  explanation: { en: "", zh: "" },
  evidenceSensorIds: [],
});

describe("detection bench helpers", () => {
  it("the raw sink raises once per excursion from normal, whatever the level changes inside it", () => {
    const raised: AlarmEvent[] = [];
    const sink = rawConditionSink((a) => void raised.push(a));
    for (const c of [
      cond("a/threshold", "blue", 1),
      cond("a/threshold", "red", 2),
      cond("b/threshold", "yellow", 3),
      cond("a/threshold", "normal", 4),
      cond("a/threshold", "orange", 5),
    ])
      sink.condition(c);
    expect(raised.map((a) => `${a.key}@${a.ts}:${a.level}`)).toEqual([
      "a/threshold@1:blue",
      "b/threshold@3:yellow",
      "a/threshold@5:orange",
    ]);
  });

  it.each([
    [[], 0.5, null],
    [[7], 0.5, 7],
    [[1, 2, 3, 4], 0.5, 2],
    [[4, 3, 2, 1, 10], 0.95, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5, 5],
  ])("percentile(%j, %d) = %s (nearest rank)", (xs, p, want) => {
    expect(percentile(xs, p)).toBe(want);
  });
});
