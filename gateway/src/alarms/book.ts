/**
 * Where alarms live: alarm points by key, open alarms by id, and a bounded history of closed
 * alarms (oldest dropped first). Queries sort by current level (red first), then newest first,
 * so a client that shows the first page shows the most urgent alarms (also during a flood).
 */
import { LEVEL_RANK, type Alarm, type AlarmState, type Condition, type Level } from "@citytwin/model";
import { newPoint, type AlarmPoint } from "./point";
import type { MaintenanceEntry } from "./types";

export interface AlarmQuery {
  /** Only alarms whose condition is active now. */
  activeOnly?: boolean;
  /** Exact state; `normal` lists closed alarms. Without it: open alarms only. */
  state?: AlarmState;
  /** Exact current level. */
  level?: Level;
  assetId?: string;
  /** Default 200, at most 5000. */
  limit?: number;
}

export class AlarmBook {
  readonly points = new Map<string, AlarmPoint>();
  readonly open = new Map<string, Alarm>();
  private closed = new Map<string, Alarm>();
  readonly maintenance = new Map<string, MaintenanceEntry>();
  readonly unknownSources = new Set<string>();
  counter = 0;

  constructor(private readonly maxClosed: number) {}

  pointFor(c: Pick<Condition, "key" | "sourceId" | "detector" | "rule">): AlarmPoint {
    let p = this.points.get(c.key);
    if (p === undefined) {
      p = newPoint(c.key, c.sourceId, c.detector, c.rule);
      this.points.set(c.key, p);
    }
    return p;
  }

  /** `A-<ts base36>-<n>`; n counts for the life of the deployment (restored from the store). */
  nextId(now: number): string {
    return `A-${Math.max(0, Math.floor(now)).toString(36)}-${++this.counter}`;
  }

  get(id: string): Alarm | undefined {
    return this.open.get(id) ?? this.closed.get(id);
  }

  openAlarmOf(p: AlarmPoint): Alarm | undefined {
    return p.alarmId === undefined ? undefined : this.open.get(p.alarmId);
  }

  add(a: Alarm): void {
    if (a.state === "normal") this.toHistory(a);
    else this.open.set(a.id, a);
    const n = Number(a.id.split("-")[2]);
    if (Number.isInteger(n) && n > this.counter) this.counter = n;
  }

  /** Moves a closed alarm to history; frees its point for a new alarm. */
  close(a: Alarm): void {
    this.open.delete(a.id);
    const p = this.points.get(a.key);
    if (p?.alarmId === a.id) p.alarmId = undefined;
    this.toHistory(a);
  }

  get closedCount(): number {
    return this.closed.size;
  }

  closedAlarms(): Alarm[] {
    return [...this.closed.values()];
  }

  query(q: AlarmQuery = {}): Alarm[] {
    const limit = Math.max(1, Math.min(q.limit ?? 200, 5000));
    const source = q.state === "normal" ? this.closed.values() : this.open.values();
    const out: Alarm[] = [];
    for (const a of source) {
      if (q.state !== undefined && a.state !== q.state) continue;
      if (q.activeOnly === true && !a.active) continue;
      if (q.level !== undefined && a.level !== q.level) continue;
      if (q.assetId !== undefined && a.assetId !== q.assetId) continue;
      out.push(a);
    }
    out.sort((x, y) => LEVEL_RANK[y.level] - LEVEL_RANK[x.level] || y.updatedAt - x.updatedAt);
    return out.slice(0, limit);
  }

  private toHistory(a: Alarm): void {
    this.closed.delete(a.id);
    this.closed.set(a.id, a);
    while (this.closed.size > this.maxClosed) {
      const oldest = this.closed.keys().next().value;
      if (oldest === undefined) break;
      this.closed.delete(oldest);
    }
  }
}
