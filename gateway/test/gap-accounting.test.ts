import { describe, expect, it } from "vitest";
import { unexplainedGaps } from "../src/ingest/gap-accounting";

const g = (from: number, to: number, epoch = 1) => ({ epoch, from, to });

describe("unexplainedGaps: platform gaps minus the ranges the edge reports it dropped", () => {
  it.each([
    ["nothing dropped at the edge", [g(5, 9)], [], [g(5, 9)]],
    ["exactly explained", [g(5, 9)], [g(5, 9)], []],
    ["explained by a wider range", [g(5, 9)], [g(1, 20)], []],
    ["explained at the start", [g(5, 9)], [g(5, 6)], [g(7, 9)]],
    ["explained at the end", [g(5, 9)], [g(8, 12)], [g(5, 7)]],
    ["explained in the middle", [g(5, 9)], [g(7, 7)], [g(5, 6), g(8, 9)]],
    ["two explanations", [g(1, 10)], [g(2, 3), g(6, 8)], [g(1, 1), g(4, 5), g(9, 10)]],
    ["another epoch explains nothing", [g(5, 9, 2)], [g(5, 9, 1)], [g(5, 9, 2)]],
    ["explanations of seqs that arrived are ignored", [g(5, 5)], [g(1, 3)], [g(5, 5)]],
  ])("%s", (_what, gaps, explained, expected) => {
    expect(unexplainedGaps(gaps, explained)).toEqual(expected);
  });
});
