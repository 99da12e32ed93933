/**
 * The seam between detection and scoring. The evaluator scores *alarms*: whatever an
 * AlarmSink raises from the stream of Conditions. The default sink raises an alarm each time
 * a condition key leaves normal (raw conditions, no alarm handling). To score the gateway's
 * alarm manager instead (gateway/src/alarms/: on/off delays, shelving, flood handling), wrap
 * it in a sink that raises on each new alarm id and drives the manager on simulated time:
 *
 *   const managerSink: AlarmSinkFactory = (raise) => {
 *     let now = 0;
 *     const seen = new Set<string>();
 *     const manager = new AlarmManager({
 *       resolveSource, logger, now: () => now,
 *       evidence: (ids) => ids.map((sensorId) => ({ sensorId, kind: "", unit: "", points: [] })),
 *       onChange: (e) => {
 *         if (e.type !== "alarm" || seen.has(e.alarm.id)) return;
 *         seen.add(e.alarm.id);
 *         const { key, sourceId, detector, rule, level, raisedAt: ts } = e.alarm;
 *         raise({ key, sourceId, detector, rule, level, ts, evidenceSensorIds: e.alarm.evidence.map((x) => x.sensorId) });
 *       },
 *     });
 *     return {
 *       condition: (c) => ((now = c.ts), manager.onCondition(c)),
 *       tick: (t) => ((now = t), manager.tick(t)),
 *     };
 *   };
 *   evaluateScenarios({ city, runs, sink: managerSink });
 *
 * `condition` receives every Condition in time order; `tick` the simulated clock once per
 * tickMs (after the engine's own tick), so the manager's timers run without real time.
 * An alarm matches an incident by its source or evidence: a sensor, its device or its asset.
 */
import type { Condition, DetectorName, Level } from "@citytwin/model";

export interface AlarmEvent {
  key: string;
  sourceId: string;
  detector: DetectorName;
  rule?: string;
  level: Level;
  ts: number;
  evidenceSensorIds: readonly string[];
}

export interface AlarmSink {
  condition(c: Condition): void;
  tick(now: number): void;
}

export type AlarmSinkFactory = (raise: (a: AlarmEvent) => void) => AlarmSink;

/** Raises on every transition of a condition key from normal to any warning level. */
export const rawConditionSink: AlarmSinkFactory = (raise) => {
  const active = new Set<string>();
  return {
    condition(c) {
      if (c.level === "normal") {
        active.delete(c.key);
        return;
      }
      if (active.has(c.key)) return;
      active.add(c.key);
      raise({
        key: c.key,
        sourceId: c.sourceId,
        detector: c.detector,
        ...(c.rule === undefined ? {} : { rule: c.rule }),
        level: c.level,
        ts: c.ts,
        evidenceSensorIds: c.evidenceSensorIds,
      });
    },
    tick() {},
  };
};
