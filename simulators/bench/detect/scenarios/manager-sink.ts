/**
 * The full pipeline's alarm stage for the scenario bench: detector Conditions go through the
 * gateway's ISA-18.2 AlarmManager (on/off delays, escalation timers, chattering latch, flood
 * handling) on simulated time, and the bench scores the alarms it annunciates, not the raw
 * conditions: a new alarm, or an alarm returning to active (nobody acknowledges in the bench,
 * so a repeat incident re-activates the still-unacknowledged alarm of its key [ISA-18.2:
 * rtn_unack → unack], or an alarm grouped under a composite-rule alarm returning to
 * annunciation); the time is the event's `updatedAt`. Evidence is skipped (no hot store here):
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
    const active = new Map<string, boolean>();
    const evidenceSensors = new Map<string, readonly string[]>();
    const evidenceOf = (key: string, sourceId: string) => evidenceSensors.get(key) ?? [sourceId];
    const manager = new AlarmManager({
      resolveSource,
      evidence: () => [],
      logger: pino({ level: "silent" }),
      now: () => now,
      onChange: (e) => {
        if (e.type !== "alarm") return;
        const a = e.alarm;
        // Annunciated and active: an alarm grouped under a composite-rule alarm (designed
        // suppression) is tracked but not shown; it counts when it returns to annunciation.
        const shown = a.active && a.groupedUnder === undefined;
        const was = active.get(a.id) ?? false;
        active.set(a.id, shown);
        if (!shown || was) return;
        raise({
          key: a.key,
          sourceId: a.sourceId,
          detector: a.detector,
          ...(a.rule === undefined ? {} : { rule: a.rule }),
          level: a.level,
          ts: a.updatedAt,
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
