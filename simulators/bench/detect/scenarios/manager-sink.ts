/**
 * The full pipeline's alarm stage for the scenario bench: detector Conditions go through the
 * gateway's ISA-18.2 AlarmManager (on/off delays, escalation timers, chattering latch, flood
 * handling) on simulated time, and the bench scores the alarms it raises (one per new alarm
 * id, at its `raisedAt`), not the raw conditions. Evidence is skipped (no hot store here):
 * it does not change what is raised or when.
 */
import { pino } from "pino";
import type { CityModel } from "@citytwin/model";
import { AlarmManager, sourceResolver } from "@citytwin/gateway";
import type { AlarmSinkFactory } from "./alarm-sink";

export function alarmManagerSink(city: CityModel): AlarmSinkFactory {
  const resolveSource = sourceResolver(city);
  return (raise) => {
    let now = 0;
    const seen = new Set<string>();
    const evidenceSensors = new Map<string, readonly string[]>();
    const evidenceOf = (key: string, sourceId: string) => evidenceSensors.get(key) ?? [sourceId];
    const manager = new AlarmManager({
      resolveSource,
      evidence: () => [],
      logger: pino({ level: "silent" }),
      now: () => now,
      onChange: (e) => {
        if (e.type !== "alarm" || seen.has(e.alarm.id)) return;
        seen.add(e.alarm.id);
        const a = e.alarm;
        raise({
          key: a.key,
          sourceId: a.sourceId,
          detector: a.detector,
          ...(a.rule === undefined ? {} : { rule: a.rule }),
          level: a.level,
          ts: a.raisedAt,
          evidenceSensorIds: evidenceOf(a.key, a.sourceId),
        });
      },
    });
    return {
      condition: (c) => {
        if (c.ts > now) now = c.ts;
        evidenceSensors.set(c.key, c.evidenceSensorIds);
        manager.onCondition(c);
      },
      tick: (t) => {
        if (t > now) now = t;
        manager.tick(now);
      },
    };
  };
}
