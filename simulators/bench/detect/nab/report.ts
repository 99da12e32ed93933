/**
 * Formats the NAB benchmark results: the table of score against cost per configuration,
 * the published full-corpus scoreboard (../shared/data/README.md), and the machine.
 */
import { cpus } from "node:os";

export interface ResultRow {
  label: string;
  standard: number;
  lowFp: number;
  lowFn: number;
  /** Threshold chosen for the standard profile, and its detections. */
  threshold: number;
  tp: number;
  fp: number;
  nsPerReading: number;
  stateBytes: number;
}

/** NAB standard-profile scores on the full 58-file corpus, as published. */
export const PUBLISHED_STANDARD: ReadonlyArray<readonly [string, number]> = [
  ["ARTime", 74.9],
  ["Numenta HTM", 70.5],
  ["CAD OSE", 69.9],
  ["earthgecko Skyline", 58.2],
  ["KNN CAD", 58.0],
  ["Relative Entropy", 54.6],
  ["Random Cut Forest", 51.7],
  ["Twitter ADVec", 47.1],
  ["Windowed Gaussian", 39.6],
  ["Etsy Skyline", 35.7],
  ["Bayesian changepoint", 17.7],
  ["random", 11.0],
];

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

const HEADER = [
  "configuration",
  "standard",
  "low-FP",
  "low-FN",
  "ns/reading",
  "readings/s/core",
  "state bytes",
  "TP/FP (std)",
];

function cells(r: ResultRow): string[] {
  return [
    r.label,
    r.standard.toFixed(1),
    r.lowFp.toFixed(1),
    r.lowFn.toFixed(1),
    r.nsPerReading.toFixed(0),
    formatRate(1e9 / r.nsPerReading),
    String(r.stateBytes),
    `${r.tp}/${r.fp}`,
  ];
}

function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)} M`;
  return `${(perSecond / 1e3).toFixed(0)} k`;
}

/** Plain-text table for the console. */
export function textTable(rows: readonly ResultRow[]): string {
  const body = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, c) => Math.max(...body.map((r) => (r[c] ?? "").length)));
  return body
    .map((r) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  "),
    )
    .join("\n");
}

export function markdownReport(rows: readonly ResultRow[], machine: MachineInfo, corpusNote: string): string {
  const line = (r: readonly string[]): string => `| ${r.join(" | ")} |`;
  return [
    "# NAB benchmark results",
    "",
    corpusNote,
    "",
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (${machine.platform}); one thread.`,
    "",
    line(HEADER),
    line(HEADER.map((_, i) => (i === 0 ? "---" : "---:"))),
    ...rows.map((r) => line(cells(r))),
    "",
    "Published standard-profile scores (full 58-file corpus, not directly comparable):",
    "",
    line(["detector", "standard"]),
    line(["---", "---:"]),
    ...PUBLISHED_STANDARD.map(([name, score]) => line([name, score.toFixed(1)])),
    "",
  ].join("\n");
}
