/** docs/benchmarks/suite.json: what one `npm run bench` measured, section by section. */
import type { SuiteMachine } from "./machine";

export const STAGES = ["broker", "ingest", "edge", "detect", "scaling", "profile", "viewer"] as const;
export type StageId = (typeof STAGES)[number];

/** One child command the suite ran. */
export interface CommandRun {
  /** Exactly as run, from the repository root. */
  command: string;
  /** The raw JSON it produced, copied next to the report (repository-relative), or null. */
  json: string | null;
  exitCode: number | null;
  seconds: number;
  ok: boolean;
  error?: string;
}

export interface TargetRow {
  section: StageId;
  target: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

export interface Section {
  id: StageId;
  title: string;
  runs: CommandRun[];
  /** Markdown body (tables, notes) placed under the section's heading. */
  markdown: string[];
  targets: TargetRow[];
  /** The figures the markdown shows, for machines. */
  data: Record<string, unknown>;
  /** SVG plots written beside the JSON (repository-relative). */
  plots: string[];
}

export interface SuiteReport {
  command: string;
  quick: boolean;
  /** Where the JSON and plots are (repository-relative). */
  assets: string;
  stages: StageId[];
  startedAt: string;
  finishedAt: string;
  durationS: number;
  machine: SuiteMachine;
  targets: TargetRow[];
  sections: Omit<Section, "markdown">[];
}
