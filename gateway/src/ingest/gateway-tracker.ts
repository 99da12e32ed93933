/**
 * What the platform knows about each edge gateway: its last GatewayStatus (online/offline,
 * agent version, config version and hash, device health), whether its MQTT session is
 * connected, its batch sequence state (dedup, gaps) and its counts. Served at GET /api/gateways.
 */
import type { GatewayStatus } from "@citytwin/model";
import { unexplainedGaps } from "./gap-accounting";
import { SequenceTracker, type SeqGap } from "./sequence";

export interface GatewayState {
  id: string;
  connected: boolean;
  status?: GatewayStatus;
  lastSeenAt?: number;
  seq: SequenceTracker;
  batches: number;
  readings: number;
  rejected: number;
  duplicates: number;
}

export interface GatewayView {
  id: string;
  connected: boolean;
  state: "online" | "offline" | "unknown";
  reason?: string;
  statusTs?: number;
  agentVersion?: string;
  config?: { version: number; hash: string };
  devices?: Record<string, string>;
  lastSeenAt?: number;
  last?: { epoch: number; seq: number };
  gaps: SeqGap[];
  missing: number;
  /** Ranges the edge reports it dropped itself (evicted by quota, lost in a power loss). */
  edgeDropped: (SeqGap & { reason: "evicted" | "lost" })[];
  /** Gaps the edge does not account for: missing in transit. */
  unexplained: SeqGap[];
  /** The edge's store-and-forward counters and its periodic health, from its last status. */
  edgeQueue?: Omit<NonNullable<GatewayStatus["queue"]>, "gaps">;
  health?: GatewayStatus["health"];
  batches: number;
  readings: number;
  rejected: number;
  duplicates: number;
}

export class GatewayTracker {
  private readonly states = new Map<string, GatewayState>();

  constructor(known: Iterable<string>) {
    for (const id of known) this.get(id);
  }

  get(id: string): GatewayState {
    let s = this.states.get(id);
    if (s === undefined) {
      s = {
        id,
        connected: false,
        seq: new SequenceTracker(),
        batches: 0,
        readings: 0,
        rejected: 0,
        duplicates: 0,
      };
      this.states.set(id, s);
    }
    return s;
  }

  all(): IterableIterator<GatewayState> {
    return this.states.values();
  }

  view(): GatewayView[] {
    return [...this.states.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((s) => {
        const gaps = s.seq.gaps();
        const queue = s.status?.queue;
        const edgeDropped = queue?.gaps ?? [];
        return {
          id: s.id,
          connected: s.connected,
          state: s.status?.state ?? "unknown",
          reason: s.status?.reason,
          statusTs: s.status?.ts,
          agentVersion: s.status?.agentVersion,
          config: s.status?.config,
          devices: s.status?.devices,
          lastSeenAt: s.lastSeenAt,
          last: s.seq.last(),
          gaps,
          missing: s.seq.missing,
          edgeDropped,
          unexplained: unexplainedGaps(gaps, edgeDropped),
          ...(queue !== undefined ? { edgeQueue: withoutGaps(queue) } : {}),
          ...(s.status?.health !== undefined ? { health: s.status.health } : {}),
          batches: s.batches,
          readings: s.readings,
          rejected: s.rejected,
          duplicates: s.duplicates,
        };
      });
  }
}

function withoutGaps(q: NonNullable<GatewayStatus["queue"]>): Omit<typeof q, "gaps"> {
  const { gaps: _gaps, ...rest } = q;
  return rest;
}
