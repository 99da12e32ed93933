/**
 * The viewer's copy of the gateway's open alarms and its incidents, shared by the alarm panel and
 * the overview (one per AppContext: `alarmStoreOf(ctx)`). Fed by the `/live` snapshot on connect,
 * `alarm` / `incident` frames, and `GET /api/alarms` + `/api/incidents` at start and after every
 * reconnect (backfill). Converges whichever arrives first: per item the newer `updatedAt` wins,
 * a closed alarm (state `normal`) leaves a tombstone so a stale list cannot revive it.
 * Listeners get one synchronous call per applied batch; they coalesce their own rendering.
 */
import { z } from "zod";
import { alarmSchema, incidentSchema, type Alarm, type Incident, type LiveMessage } from "@citytwin/model";
import { apiGet } from "../core/api";
import type { AppContext } from "../core/app-context";

const alarmListSchema = z.object({ alarms: z.array(alarmSchema) });
const incidentListSchema = z.object({ incidents: z.array(incidentSchema) });

export class AlarmStore {
  /** Open alarms (state ≠ normal) by id. */
  readonly alarms = new Map<string, Alarm>();
  /** Incidents by id, closed ones included (closure statistics). */
  readonly incidents = new Map<string, Incident>();
  /** Local time each open alarm was last applied (guards list replacement against racing frames). */
  private readonly seenAt = new Map<string, number>();
  /** Closed alarm id → its closing updatedAt. */
  private readonly tombstones = new Map<string, number>();
  private readonly listeners: (() => void)[] = [];
  /** True once the first list or snapshot has been applied. */
  loaded = false;

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Applies one `/live` frame; other frame types are ignored. */
  applyFrame(msg: LiveMessage): void {
    if (msg.type === "alarms") {
      this.replaceAlarms(msg.alarms, Number.POSITIVE_INFINITY);
      for (const i of msg.incidents) this.putIncident(i);
    } else if (msg.type === "alarm") this.putAlarm(msg.alarm);
    else if (msg.type === "incident") this.putIncident(msg.incident);
    else return;
    this.changed();
  }

  /** An action's answer (ack, shelve, …) applied at once, without waiting for its frame. */
  applyAlarm(alarm: Alarm): void {
    this.putAlarm(alarm);
    this.changed();
  }

  applyIncident(incident: Incident): void {
    this.putIncident(incident);
    this.changed();
  }

  /** Re-reads both lists (start-up and backfill). Errors propagate to the caller. */
  async load(): Promise<void> {
    const requestedAt = Date.now();
    const [alarms, incidents] = await Promise.all([
      apiGet("api/alarms?limit=5000", alarmListSchema),
      apiGet("api/incidents?limit=5000", incidentListSchema),
    ]);
    this.replaceAlarms(alarms.alarms, requestedAt);
    for (const i of incidents.incidents) this.putIncident(i);
    this.changed();
  }

  /** The incident an alarm belongs to, if the viewer knows it. */
  incidentOf(alarm: Alarm): Incident | undefined {
    return alarm.incidentId === undefined ? undefined : this.incidents.get(alarm.incidentId);
  }

  /**
   * Makes `list` the set of open alarms. An alarm absent from it is dropped only when it was last
   * applied before `listRequestedAt` (a frame newer than the list keeps it).
   */
  private replaceAlarms(list: readonly Alarm[], listRequestedAt: number): void {
    const listed = new Set(list.map((a) => a.id));
    for (const id of [...this.alarms.keys()]) {
      if (!listed.has(id) && (this.seenAt.get(id) ?? 0) < listRequestedAt) {
        this.alarms.delete(id);
        this.seenAt.delete(id);
      }
    }
    for (const a of list) this.putAlarm(a);
    this.loaded = true;
  }

  private putAlarm(a: Alarm): void {
    const known = this.alarms.get(a.id);
    if (known !== undefined && known.updatedAt > a.updatedAt) return;
    const closedAt = this.tombstones.get(a.id);
    if (closedAt !== undefined && closedAt >= a.updatedAt) return;
    if (a.state === "normal") {
      this.alarms.delete(a.id);
      this.seenAt.delete(a.id);
      this.tombstones.set(a.id, a.updatedAt);
      return;
    }
    this.alarms.set(a.id, a);
    this.seenAt.set(a.id, Date.now());
  }

  private putIncident(i: Incident): void {
    const known = this.incidents.get(i.id);
    if (known !== undefined && known.updatedAt > i.updatedAt) return;
    this.incidents.set(i.id, i);
    if (i.state === "closed") return;
    // An open incident names its alarms: link those still without an open one (opened by an action).
    for (const id of i.alarmIds) {
      const a = this.alarms.get(id);
      const current = a?.incidentId === undefined ? undefined : this.incidents.get(a.incidentId);
      if (a !== undefined && a.incidentId !== i.id && (current === undefined || current.state === "closed"))
        this.alarms.set(id, { ...a, incidentId: i.id });
    }
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

const stores = new WeakMap<AppContext, AlarmStore>();

/** The context's store, created (and wired to the bus, loaded once) on first use. */
export function alarmStoreOf(ctx: AppContext): AlarmStore {
  const store = stores.get(ctx);
  if (store !== undefined) return store;
  const created = new AlarmStore();
  stores.set(ctx, created);
  const load = () =>
    created.load().catch((err: unknown) => console.warn("alarms: list failed", (err as Error).message));
  ctx.bus.on("live", (msg) => created.applyFrame(msg));
  ctx.bus.on("reconnected", () => void load());
  void load();
  return created;
}
