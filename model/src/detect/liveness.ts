/**
 * Device and gateway liveness, from last-seen times, heartbeats and reported states.
 *
 *   device offline   reported down (status message), or nothing heard from it (no reading of
 *                    any quality but stale, no heartbeat) for max(afterIntervals × intervalMs,
 *                    minMs) *while its gateway kept hearing from others*
 *   gateway offline  reported offline (the edge agent's status / MQTT Will), or nothing heard
 *                    from any of its devices nor the gateway itself for silentMs
 *
 * Silence is judged against the parent (gateway → device → sensor): a gateway going quiet
 * raises one alarm for the cause, not one per device and sensor; while a gateway is
 * offline its devices raise nothing new. Hearing from a device or gateway clears a
 * silence-based level at once; a reported state holds until reported otherwise.
 * State per device/gateway: 3–4 numbers and a flag.
 */
import type { Level } from "../levels";
import { levelRank, NEVER } from "./level-latch";

export interface LivenessOptions {
  deviceAfterIntervals: number;
  deviceMinMs: number;
  deviceLevel: Level;
  gatewaySilentMs: number;
  gatewayLevel: Level;
}

export const DEFAULT_LIVENESS: LivenessOptions = {
  deviceAfterIntervals: 5,
  deviceMinMs: 15_000,
  deviceLevel: "yellow",
  gatewaySilentMs: 30_000,
  gatewayLevel: "orange",
};

export interface DeviceLive {
  firstSeen: number;
  lastSeen: number;
  reported: boolean;
  level: number;
}

export interface GatewayLive {
  lastSeen: number;
  reported: boolean;
  level: number;
}

export function createDeviceLive(): DeviceLive {
  return { firstSeen: NEVER, lastSeen: NEVER, reported: false, level: 0 };
}

export function createGatewayLive(): GatewayLive {
  return { lastSeen: NEVER, reported: false, level: 0 };
}

/** Called back on a level change: which device/gateway (index), its new rank, why. */
export type LivenessChange = (
  what: "device" | "gateway",
  index: number,
  rank: number,
  reported: boolean,
  ts: number,
) => void;

export class Liveness {
  readonly devices: DeviceLive[];
  readonly gateways: GatewayLive[];
  private readonly deviceRank: number;
  private readonly gatewayRank: number;

  constructor(
    /** Gateway index of each device, and each device's silence limit (ms). */
    private readonly deviceGateway: readonly number[],
    private readonly deviceAfterMs: readonly number[],
    gatewayCount: number,
    private readonly opts: LivenessOptions,
    private readonly changed: LivenessChange,
  ) {
    this.devices = deviceGateway.map(createDeviceLive);
    this.gateways = Array.from({ length: gatewayCount }, createGatewayLive);
    this.deviceRank = levelRank(opts.deviceLevel);
    this.gatewayRank = levelRank(opts.gatewayLevel);
  }

  /** Something (a reading or a heartbeat) came from device `d` at `ts`. O(1). */
  heard(d: number, ts: number): void {
    const dev = this.devices[d];
    if (dev === undefined) return;
    if (dev.firstSeen === NEVER) dev.firstSeen = ts;
    if (ts > dev.lastSeen) dev.lastSeen = ts;
    if (dev.level !== 0 && !dev.reported) this.set("device", d, dev, 0, false, ts);
    const g = this.deviceGateway[d] ?? -1;
    const gw = this.gateways[g];
    if (gw === undefined) return;
    if (ts > gw.lastSeen) gw.lastSeen = ts;
    if (gw.level !== 0 && !gw.reported) this.set("gateway", g, gw, 0, false, ts);
  }

  deviceReported(d: number, down: boolean, ts: number): void {
    const dev = this.devices[d];
    if (dev === undefined) return;
    dev.reported = down;
    if (down) this.set("device", d, dev, this.deviceRank, true, ts);
    else this.heard(d, ts);
  }

  gatewayReported(g: number, offline: boolean, ts: number): void {
    const gw = this.gateways[g];
    if (gw === undefined) return;
    gw.reported = offline;
    if (offline) this.set("gateway", g, gw, this.gatewayRank, true, ts);
    else {
      if (ts > gw.lastSeen) gw.lastSeen = ts;
      this.set("gateway", g, gw, 0, false, ts);
    }
  }

  /** Is device `d` (and its gateway) considered up now? */
  deviceUp(d: number): boolean {
    const dev = this.devices[d];
    const gw = this.gateways[this.deviceGateway[d] ?? -1];
    return (
      dev !== undefined && dev.level === 0 && dev.lastSeen !== NEVER && (gw === undefined || gw.level === 0)
    );
  }

  /** Silence checks at `now`. O(devices + gateways). */
  tick(now: number): void {
    this.gateways.forEach((gw, g) => {
      if (gw.reported || gw.lastSeen === NEVER || gw.level !== 0) return;
      if (now - gw.lastSeen > this.opts.gatewaySilentMs)
        this.set("gateway", g, gw, this.gatewayRank, false, now);
    });
    this.devices.forEach((dev, d) => {
      if (dev.reported || dev.lastSeen === NEVER || dev.level !== 0) return;
      const gw = this.gateways[this.deviceGateway[d] ?? -1];
      const parentSeen = gw === undefined ? now : gw.lastSeen;
      if (gw !== undefined && gw.level !== 0) return;
      if (parentSeen - dev.lastSeen > (this.deviceAfterMs[d] ?? Number.POSITIVE_INFINITY))
        this.set("device", d, dev, this.deviceRank, false, now);
    });
  }

  private set(
    what: "device" | "gateway",
    i: number,
    s: DeviceLive | GatewayLive,
    rank: number,
    reported: boolean,
    ts: number,
  ): void {
    if (s.level === rank) return;
    s.level = rank;
    this.changed(what, i, rank, reported, ts);
  }
}
