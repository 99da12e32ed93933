/**
 * Labelled scenarios for the detection bench: one run per incident type, each with several
 * targets (seeded choice) one after another, plus a long clean run. Targets:
 *   gas_leak         valve chambers, manholes and gas pipe segments in turn
 *   pipe_burst       water mains;  waterlogging  drainage wells
 *   bridge_overload  the monitored bridge(s), repeated at different severities
 *   sensor_stuck     one sensor of each kind that has a stuck detector
 *   sensor_drift     one sensor of each kind that has a baseline or value thresholds
 * Each run has a 10 min clean pre-roll (warms the adaptive baselines). With `restoreFrom`
 * every run starts from that run's final engine state (e.g. the clean run's: days of learned
 * daily-seasonal baselines, as on a running system), its pre-roll beginning at `startMs`.
 */
import { INCIDENT_TYPES, type Incident, type IncidentType } from "../../../src/signals";
import { createRng } from "../../../src/random";
import { KIND_DEFAULTS, type CityModel } from "@citytwin/model";
import type { LabelledRun } from "./evaluate";

/** 2025-06-02 06:00 China Standard Time. */
export const BENCH_START_MS = Date.UTC(2025, 5, 1, 22, 0, 0);
const PRE_ROLL_MS = 600_000;
const GAP_S = 600;

export interface LabelledOptions {
  /** Incidents per type (default 8). */
  targets?: number;
  seed?: number;
  /** When the pre-roll starts (default BENCH_START_MS). */
  startMs?: number;
  /** Run whose final state every labelled run restores (see LabelledRun.restoreFrom). */
  restoreFrom?: string;
}

const DURATION_S: Readonly<Record<IncidentType, [number, number]>> = {
  gas_leak: [120, 300],
  pipe_burst: [120, 300],
  waterlogging: [180, 600],
  bridge_overload: [60, 180],
  sensor_stuck: [600, 600],
  sensor_drift: [1800, 1800],
};

/** Candidate targets of a type, grouped so that the picks rotate through the groups. */
function targetGroups(city: CityModel, type: IncidentType): string[][] {
  const assets = (t: string) => city.assets.filter((a) => a.type === t).map((a) => a.id);
  const byKind = (keep: (kind: string) => boolean) => {
    const groups = new Map<string, string[]>();
    for (const s of city.sensors) if (keep(s.kind)) groups.set(s.kind, [...(groups.get(s.kind) ?? []), s.id]);
    return [...groups.values()];
  };
  switch (type) {
    case "gas_leak":
      return [assets("GVC"), assets("MH"), assets("GPS")];
    case "pipe_burst":
      return [assets("WMN")];
    case "waterlogging":
      return [assets("DWL")];
    case "bridge_overload":
      return [assets("BRG")];
    case "sensor_stuck":
      return byKind((k) => KIND_DEFAULTS[k]?.stuck !== undefined);
    case "sensor_drift":
      return byKind(
        (k) => KIND_DEFAULTS[k]?.baseline !== undefined || KIND_DEFAULTS[k]?.hysteresis !== undefined,
      );
  }
}

export function buildLabelledRuns(city: CityModel, options: LabelledOptions = {}): LabelledRun[] {
  const rng = createRng(options.seed ?? 4);
  const count = options.targets ?? 8;
  const base = options.startMs ?? BENCH_START_MS;
  return INCIDENT_TYPES.map((type) => {
    const groups = targetGroups(city, type).filter((g) => g.length > 0);
    const [lo, hi] = DURATION_S[type];
    const n = type === "sensor_stuck" || type === "sensor_drift" ? Math.max(count, groups.length) : count;
    const incidents: Incident[] = [];
    for (let k = 0; k < n && groups.length > 0; k++) {
      const group = groups[k % groups.length] ?? [];
      incidents.push({
        id: `${type}-${k + 1}`,
        type,
        target: rng.pick(group),
        startS: k * (hi + GAP_S),
        durationS: Math.round(rng.range(lo, hi)),
        severity: Math.round(rng.range(0.2, 1) * 100) / 100,
      });
    }
    return {
      name: type,
      scenario: { version: 1, name: `bench-${type}`, incidents },
      startMs: base + PRE_ROLL_MS,
      durationMs: n * (hi + GAP_S) * 1000,
      preRollMs: PRE_ROLL_MS,
      ...(options.restoreFrom === undefined ? {} : { restoreFrom: options.restoreFrom }),
    };
  });
}

/** A run with no incidents: every alarm in it is false. */
export function cleanRun(days: number, startMs = BENCH_START_MS): LabelledRun {
  return {
    name: "clean",
    scenario: { version: 1, name: "bench-clean", incidents: [] },
    startMs,
    durationMs: days * 86_400_000,
    preRollMs: 0,
  };
}
