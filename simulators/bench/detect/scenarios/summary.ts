/**
 * Per-incident-type figures from evaluateScenarios' run results, and their rendering as a
 * Markdown table (what docs/alarm-defaults.md records).
 */
import type { RunResult } from "./evaluate";
import type { Throughput } from "./throughput";

export interface TypeSummary {
  type: string;
  incidents: number;
  recall: number;
  medianTtdS: number | null;
  p95TtdS: number | null;
  /** Detected by the detector that names the incident (composite rule / stuck). */
  typedRecall: number;
  typedMedianTtdS: number | null;
  typedP95TtdS: number | null;
  /** Share whose typed detection came by the scenario's deadline (default 10 s after start). */
  typedOnTime: number;
  falseAlarms: number;
  sensorDays: number;
  falseAlarmsPer1000SensorDays: number;
  peakConditionsPer10Min: number;
  peakAlarmsPer10Min: number;
}

/** Nearest-rank percentile of `xs` (p in (0, 1]); null when empty. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? null;
}

export function summarise(run: RunResult): TypeSummary {
  const ttd = run.incidents.flatMap((i) => (i.ttdMs === null ? [] : [i.ttdMs / 1000]));
  const typed = run.incidents.flatMap((i) => (i.typedTtdMs === null ? [] : [i.typedTtdMs / 1000]));
  const n = run.incidents.length;
  return {
    type: run.name,
    incidents: n,
    recall: n === 0 ? 1 : ttd.length / n,
    medianTtdS: percentile(ttd, 0.5),
    p95TtdS: percentile(ttd, 0.95),
    typedRecall: n === 0 ? 1 : typed.length / n,
    typedMedianTtdS: percentile(typed, 0.5),
    typedP95TtdS: percentile(typed, 0.95),
    typedOnTime:
      n === 0
        ? 1
        : run.incidents.filter((i) => i.typedTtdMs !== null && i.startMs + i.typedTtdMs <= i.deadlineMs)
            .length / n,
    falseAlarms: run.falseAlarms,
    sensorDays: run.sensorDays,
    falseAlarmsPer1000SensorDays: run.falseAlarmsPer1000SensorDays,
    peakConditionsPer10Min: run.peakConditionsPer10Min,
    peakAlarmsPer10Min: run.peakAlarmsPer10Min,
  };
}

const s = (x: number | null) => (x === null ? "–" : x.toFixed(0));
const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
const share = (r: TypeSummary, x: number) => (r.incidents === 0 ? "–" : pct(x));

export function markdownTable(rows: readonly TypeSummary[]): string {
  const head =
    "| run | incidents | recall | TTD median / p95 (s) | typed recall | typed TTD median / p95 (s) | typed by deadline | false alarms | sensor-days | FA / 1,000 sensor-days | peak conditions / 10 min | peak alarms / 10 min |";
  const sep = `|${"---|".repeat(12)}`;
  const lines = rows.map(
    (r) =>
      `| ${r.type} | ${r.incidents} | ${share(r, r.recall)} | ${s(r.medianTtdS)} / ${s(r.p95TtdS)} | ${share(r, r.typedRecall)} | ${s(r.typedMedianTtdS)} / ${s(r.typedP95TtdS)} | ${share(r, r.typedOnTime)} | ${r.falseAlarms} | ${r.sensorDays.toFixed(0)} | ${r.falseAlarmsPer1000SensorDays.toFixed(2)} | ${r.peakConditionsPer10Min} | ${r.peakAlarmsPer10Min} |`,
  );
  return [head, sep, ...lines].join("\n");
}

export function throughputLines(t: Throughput): string {
  return [
    `cheap stage (impossible + threshold + liveness): ${t.cheapNsPerReading.toFixed(0)} ns/reading`,
    `full stack (all detectors + composite rules):    ${t.fullNsPerReading.toFixed(0)} ns/reading`,
    `full stack throughput: ${(t.readingsPerSecondPerCore / 1e6).toFixed(2)} M readings/s/core (${t.readings.toLocaleString("en")} readings timed)`,
  ].join("\n");
}
