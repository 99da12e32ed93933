/**
 * Prometheus metrics of detection and alarm management, on the gateway's registry:
 *   citytwin_detector_conditions_total{detector,level}   level changes the detectors emitted
 *   citytwin_alarms{state}                                open alarms by ISA-18.2 state
 *   citytwin_alarms_active{level}                         active alarms by level
 *   citytwin_alarms_shelved / _suppressed / _out_of_service
 *   citytwin_alarm_flood_active                           positions in flood now
 *   citytwin_incidents{state}
 * Gauges are computed from the alarm manager's stats when scraped.
 */
import { ALARM_STATES, INCIDENT_STATES, LEVELS, type Condition } from "@citytwin/model";
import { Counter, Gauge, type Registry } from "prom-client";
import type { AlarmStats } from "../alarms";

export class AlarmMetrics {
  private readonly conditions: Counter<"detector" | "level">;

  constructor(registry: Registry, stats: () => AlarmStats) {
    this.conditions = new Counter({
      name: "citytwin_detector_conditions_total",
      help: "Level changes emitted by the detectors, by detector and new level",
      labelNames: ["detector", "level"] as const,
      registers: [registry],
    });
    const gauge = (
      name: string,
      help: string,
      label: string,
      values: readonly string[],
      pick: (s: AlarmStats, v: string) => number,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: [label],
        registers: [registry],
        collect() {
          const s = stats();
          for (const v of values) this.set({ [label]: v }, pick(s, v));
        },
      });
    gauge(
      "citytwin_alarms",
      "Open alarms by ISA-18.2 state (normal = closed, kept in history)",
      "state",
      ALARM_STATES,
      (s, v) => s.byState[v as keyof AlarmStats["byState"]],
    );
    gauge(
      "citytwin_alarms_active",
      "Active alarms by level",
      "level",
      LEVELS,
      (s, v) => s.byLevel[v as keyof AlarmStats["byLevel"]],
    );
    gauge(
      "citytwin_incidents",
      "Incidents by state",
      "state",
      INCIDENT_STATES,
      (s, v) => s.incidents[v as keyof AlarmStats["incidents"]],
    );
    const single = (name: string, help: string, pick: (s: AlarmStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(pick(stats()));
        },
      });
    single("citytwin_alarms_shelved", "Open alarms shelved by an operator", (s) => s.shelved);
    single(
      "citytwin_alarms_suppressed",
      "Open alarms suppressed by design (asset maintenance)",
      (s) => s.suppressed,
    );
    single("citytwin_alarms_out_of_service", "Open alarms out of service", (s) => s.outOfService);
    single(
      "citytwin_alarm_flood_active",
      "Operator positions in alarm flood now",
      (s) => s.flood.positions.filter((p) => p.flooding).length,
    );
  }

  condition(c: Condition): void {
    this.conditions.inc({ detector: c.detector, level: c.level });
  }
}
