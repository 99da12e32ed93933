import { describe, expect, it } from "vitest";
import { SequenceTracker } from "../src/ingest/sequence";

describe("batch sequence tracking", () => {
  it("detects duplicates, gaps and late fills", () => {
    const t = new SequenceTracker();
    expect(t.observe(100, 1)).toBe("new");
    expect(t.observe(100, 2)).toBe("new");
    expect(t.observe(100, 2)).toBe("duplicate");
    expect(t.observe(100, 1)).toBe("duplicate");
    expect(t.observe(100, 6)).toBe("new");
    expect(t.gaps()).toEqual([{ epoch: 100, from: 3, to: 5 }]);
    expect(t.missing).toBe(3);
    expect(t.observe(100, 4)).toBe("new");
    expect(t.gaps()).toEqual([
      { epoch: 100, from: 3, to: 3 },
      { epoch: 100, from: 5, to: 5 },
    ]);
    expect(t.observe(100, 4)).toBe("duplicate");
    expect(t.observe(100, 3)).toBe("new");
    expect(t.observe(100, 5)).toBe("new");
    expect(t.gaps()).toEqual([]);
    expect(t.missing).toBe(0);
    expect(t.gapCount).toBe(1);
    expect(t.last()).toEqual({ epoch: 100, seq: 6 });
  });

  it("starts a new stream on a new epoch and still deduplicates the old one", () => {
    const t = new SequenceTracker();
    t.observe(100, 1);
    expect(t.observe(200, 1)).toBe("new");
    expect(t.last()).toEqual({ epoch: 200, seq: 1 });
    expect(t.observe(100, 1)).toBe("duplicate");
    expect(t.observe(100, 2)).toBe("new");
  });
});
