/**
 * Incidents: the work that alarms cause. An eligible alarm (level ≥ `incidentLevel`, or any
 * composite-rule alarm) joins the open incident of its asset, or opens one. Life cycle:
 *
 *   dispatch ──handle──▶ handling ──close──▶ closed      (close also allowed from dispatch)
 *
 * `dispatch(assignee)` assigns the crew (again = reassignment); `handle` records that work has
 * started (assigning the operator when nobody was assigned); `close(note)` needs a note and is
 * refused while one of the incident's alarms is still `unack` (an alarm nobody has seen cannot
 * be resolved). Notes may be added in any state. An incident does not close by itself when its
 * alarms clear: closing is an operator decision.
 */
import { LEVEL_LABELS, LEVEL_RANK, type Alarm, type Incident, type IncidentState } from "@citytwin/model";
import { fail, ok, UNKNOWN, type ActionResult } from "./types";

export interface IncidentQuery {
  state?: IncidentState;
  assetId?: string;
  /** Only dispatch and handling. */
  openOnly?: boolean;
  /** Default 200, at most 5000. */
  limit?: number;
}

export class IncidentBook {
  private readonly byId = new Map<string, Incident>();
  /** Open incident per asset. */
  private readonly openByAsset = new Map<string, string>();
  counter = 0;

  constructor(private readonly maxClosed: number) {}

  get(id: string): Incident | undefined {
    return this.byId.get(id);
  }

  /** The open incident of the first of `assetIds` that has one. Unknown assets never join. */
  openFor(assetIds: readonly string[]): Incident | undefined {
    for (const assetId of assetIds) {
      if (assetId === UNKNOWN) continue;
      const id = this.openByAsset.get(assetId);
      if (id !== undefined) return this.byId.get(id);
    }
    return undefined;
  }

  open(alarm: Alarm, now: number): Incident {
    const label = LEVEL_LABELS[alarm.level];
    const incident: Incident = {
      id: `I-${Math.max(0, Math.floor(now)).toString(36)}-${++this.counter}`,
      state: "dispatch",
      title: {
        en: `${label.en} · ${alarm.assetId}: ${alarm.explanation.en}`,
        zh: `${label.zh} · ${alarm.assetId}：${alarm.explanation.zh}`,
      },
      assetId: alarm.assetId,
      hierarchy: alarm.hierarchy,
      owner: alarm.owner,
      level: alarm.level,
      alarmIds: [alarm.id],
      openedAt: now,
      updatedAt: now,
      notes: [],
    };
    this.add(incident);
    return incident;
  }

  /** Adds the alarm (if new to it) and raises the incident's level to the alarm's peak. */
  join(i: Incident, alarm: Alarm, now: number): void {
    if (!i.alarmIds.includes(alarm.id)) i.alarmIds.push(alarm.id);
    if (LEVEL_RANK[alarm.peakLevel] > LEVEL_RANK[i.level]) i.level = alarm.peakLevel;
    i.updatedAt = now;
  }

  /** Assigns; returns the audit action: first assignment or reassignment. */
  dispatch(
    i: Incident,
    assignee: string,
    now: number,
  ): ActionResult<"incident_dispatch" | "incident_assign"> {
    if (i.state === "closed") return fail("INVALID_STATE", `incident ${i.id} is closed`);
    const action = i.assignee === undefined ? "incident_dispatch" : "incident_assign";
    i.assignee = assignee;
    i.updatedAt = now;
    return ok(action);
  }

  handle(i: Incident, by: string, now: number): ActionResult<Incident> {
    if (i.state !== "dispatch") return fail("INVALID_STATE", `incident ${i.id} is ${i.state}, not dispatch`);
    i.state = "handling";
    i.assignee ??= by;
    i.updatedAt = now;
    return ok(i);
  }

  close(
    i: Incident,
    note: string,
    by: string,
    now: number,
    unacked: readonly string[],
  ): ActionResult<Incident> {
    if (i.state === "closed") return fail("INVALID_STATE", `incident ${i.id} is already closed`);
    if (unacked.length > 0)
      return fail("INVALID_STATE", `acknowledge its alarms first: ${unacked.slice(0, 10).join(", ")}`);
    i.notes.push({ ts: now, by, text: note });
    i.state = "closed";
    i.closedAt = now;
    i.updatedAt = now;
    this.openByAsset.delete(i.assetId);
    this.trimClosed();
    return ok(i);
  }

  note(i: Incident, by: string, text: string, now: number): Incident {
    i.notes.push({ ts: now, by, text });
    i.updatedAt = now;
    return i;
  }

  /** Adds or replaces (restore and open). */
  add(i: Incident): void {
    this.byId.set(i.id, i);
    if (i.state !== "closed" && i.assetId !== UNKNOWN) this.openByAsset.set(i.assetId, i.id);
    const n = Number(i.id.split("-")[2]);
    if (Number.isInteger(n) && n > this.counter) this.counter = n;
  }

  /** Open first, then most recently updated first. */
  query(q: IncidentQuery = {}): Incident[] {
    const limit = Math.max(1, Math.min(q.limit ?? 200, 5000));
    const out = [...this.byId.values()].filter(
      (i) =>
        (q.state === undefined || i.state === q.state) &&
        (q.assetId === undefined || i.assetId === q.assetId) &&
        (q.openOnly !== true || i.state !== "closed"),
    );
    const closedLast = (i: Incident) => (i.state === "closed" ? 1 : 0);
    out.sort((a, b) => closedLast(a) - closedLast(b) || b.updatedAt - a.updatedAt);
    return out.slice(0, limit);
  }

  all(): Incident[] {
    return [...this.byId.values()];
  }

  counts(): Record<IncidentState, number> {
    const c: Record<IncidentState, number> = { dispatch: 0, handling: 0, closed: 0 };
    for (const i of this.byId.values()) c[i.state]++;
    return c;
  }

  /** Drops the oldest closed incidents beyond `maxClosed`. */
  trimClosed(): void {
    const closed = [...this.byId.values()].filter((i) => i.state === "closed");
    if (closed.length <= this.maxClosed) return;
    closed.sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0));
    for (const i of closed.slice(0, closed.length - this.maxClosed)) this.byId.delete(i.id);
  }
}
