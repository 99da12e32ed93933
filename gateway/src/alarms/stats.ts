/** Counters for GET /api/alarms/stats and /metrics: alarm load, flood, chattering, refusals. */
import type { AlarmState, IncidentState, Level } from "@citytwin/model";
import type { AlarmCore } from "./core";
import type { FloodStats } from "./flood";

export interface AlarmStats {
  open: number;
  active: number;
  unacknowledged: number;
  annunciated: number;
  /** Open alarms by state; `normal` counts closed alarms kept in history. */
  byState: Record<AlarmState, number>;
  /** Active alarms by current level. */
  byLevel: Record<Level, number>;
  shelved: number;
  suppressed: number;
  outOfService: number;
  /** Open alarms grouped under a composite-rule alarm (designed suppression). */
  grouped: number;
  maintenanceAssets: number;
  chattering: { points: number; episodes: number };
  flood: FloodStats & { heldDuringFlood: number };
  unknownSources: number;
  incidents: Record<IncidentState, number>;
  refusedActions: number;
  points: number;
}

export function computeStats(core: AlarmCore): AlarmStats {
  const { book, counters } = core;
  const byState: Record<AlarmState, number> = {
    normal: book.closedCount,
    unack: 0,
    ack: 0,
    rtn_unack: 0,
  };
  const byLevel: Record<Level, number> = { normal: 0, blue: 0, yellow: 0, orange: 0, red: 0 };
  let active = 0;
  let annunciated = 0;
  let shelved = 0;
  let suppressed = 0;
  let outOfService = 0;
  let grouped = 0;
  for (const a of book.open.values()) {
    byState[a.state]++;
    if (a.active) {
      active++;
      byLevel[a.level]++;
    }
    if (core.annunciated(a)) annunciated++;
    if (a.shelved !== undefined) shelved++;
    if (a.suppressed) suppressed++;
    if (a.outOfService) outOfService++;
    if (a.groupedUnder !== undefined) grouped++;
  }
  let chattering = 0;
  for (const p of book.points.values()) if (p.chattering) chattering++;
  return {
    open: book.open.size,
    active,
    unacknowledged: byState.unack + byState.rtn_unack,
    annunciated,
    byState,
    byLevel,
    shelved,
    suppressed,
    outOfService,
    grouped,
    maintenanceAssets: book.maintenance.size,
    chattering: { points: chattering, episodes: counters.chatterEpisodes },
    flood: { ...core.flood.stats(), heldDuringFlood: counters.heldDuringFlood },
    unknownSources: book.unknownSources.size,
    incidents: core.incidents.counts(),
    refusedActions: counters.refusedActions,
    points: book.points.size,
  };
}
