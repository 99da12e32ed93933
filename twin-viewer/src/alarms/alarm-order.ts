/**
 * What the alarm list shows, pure: which alarms each tab lists, their order, the counts of alarms
 * kept off the main list by design (suppressed, grouped, out of service), and the age label.
 */
import { LEVEL_RANK, type Alarm } from "@citytwin/model";
import { s } from "./strings";

export type AlarmTab = "active" | "shelved" | "all";
export const ALARM_TABS: readonly AlarmTab[] = ["active", "shelved", "all"];

/** Not annunciated by design: tracked and counted, but not on the main (active) list. */
export function isHiddenByDesign(a: Alarm): boolean {
  return a.suppressed || a.outOfService || a.groupedUnder !== undefined;
}

export function inTab(a: Alarm, tab: AlarmTab): boolean {
  if (tab === "all") return true;
  if (tab === "shelved") return a.shelved !== undefined;
  return a.shelved === undefined && !isHiddenByDesign(a);
}

/** Red first, then newest first within a level; id breaks ties so the order is stable. */
export function compareAlarms(a: Alarm, b: Alarm): number {
  return LEVEL_RANK[b.level] - LEVEL_RANK[a.level] || b.raisedAt - a.raisedAt || a.id.localeCompare(b.id);
}

export function listFor(alarms: Iterable<Alarm>, tab: AlarmTab): Alarm[] {
  return [...alarms].filter((a) => inTab(a, tab)).sort(compareAlarms);
}

export interface HiddenCounts {
  suppressed: number;
  grouped: number;
  outOfService: number;
}

export function hiddenCounts(alarms: Iterable<Alarm>): HiddenCounts {
  const c: HiddenCounts = { suppressed: 0, grouped: 0, outOfService: 0 };
  for (const a of alarms) {
    if (a.suppressed) c.suppressed++;
    if (a.groupedUnder !== undefined) c.grouped++;
    if (a.outOfService) c.outOfService++;
  }
  return c;
}

export function tabCounts(alarms: Iterable<Alarm>): Record<AlarmTab, number> {
  const c: Record<AlarmTab, number> = { active: 0, shelved: 0, all: 0 };
  for (const a of alarms) for (const tab of ALARM_TABS) if (inTab(a, tab)) c[tab]++;
  return c;
}

/** "12 秒前" / "12 s ago", minutes past a minute, hours past an hour. */
export function ageLabel(sinceMs: number, nowMs: number): string {
  const sec = Math.max(0, Math.floor((nowMs - sinceMs) / 1000));
  if (sec < 60) return `${sec} ${s("ageS")}`;
  if (sec < 3600) return `${Math.floor(sec / 60)} ${s("ageM")}`;
  return `${Math.floor(sec / 3600)} ${s("ageH")}`;
}
