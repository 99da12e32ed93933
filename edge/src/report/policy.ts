/**
 * Report-by-exception policy of one point and its resolution from config. Precedence, field by
 * field: device `report[key]` > device `report["*"]` > profile `report[key]` (or a Modbus
 * point's inline `report`) > profile `report["*"]`. A point with no policy is passed through.
 */
import { kindOfKey, sensorKind } from "@citytwin/model";
import type { DeviceConfig, Profile, ReportPolicy } from "../config/schema";

/** A resolved policy: all intervals in ms; `deadband` absolute, in engineering units. */
export interface PointPolicy {
  deadband: number;
  minIntervalMs: number;
  /** Heartbeat; Infinity = none. */
  maxIntervalMs: number;
}

export type ReportMap = Record<string, ReportPolicy>;

/** Merges policies, later ones winning field by field; undefined when none is given. */
function merge(...ps: (ReportPolicy | undefined)[]): ReportPolicy | undefined {
  let out: ReportPolicy | undefined;
  for (const p of ps) if (p !== undefined) out = { ...out, ...p };
  return out;
}

/**
 * The effective absolute deadband: the larger of `deadband` and `deadbandPercent` of the
 * kind's span (SENSOR_KINDS max − min; percent is ignored for unknown kinds).
 */
export function toPointPolicy(key: string, p: ReportPolicy): PointPolicy {
  let deadband = p.deadband ?? 0;
  const kind = sensorKind(kindOfKey(key));
  if (p.deadbandPercent !== undefined && kind !== undefined) {
    deadband = Math.max(deadband, ((kind.max - kind.min) * p.deadbandPercent) / 100);
  }
  return {
    deadband,
    minIntervalMs: p.minIntervalMs ?? 0,
    maxIntervalMs: p.maxIntervalMs ?? Infinity,
  };
}

/** Per-device lookup of point policies, built once from the config. */
export class PolicyTable {
  private readonly byDevice = new Map<string, { device?: ReportMap; profile?: ReportMap }>();

  constructor(devices: readonly DeviceConfig[], profiles: Record<string, Profile>) {
    for (const d of devices) {
      const profile = "profile" in d ? profiles[d.profile] : undefined;
      const entry: { device?: ReportMap; profile?: ReportMap } = {};
      if (d.report !== undefined) entry.device = d.report;
      const pm = profile === undefined ? undefined : profileReport(profile);
      if (pm !== undefined) entry.profile = pm;
      if (entry.device !== undefined || entry.profile !== undefined) this.byDevice.set(d.id, entry);
    }
  }

  /** The point's policy, or undefined (pass through). */
  lookup(deviceId: string, key: string): PointPolicy | undefined {
    const e = this.byDevice.get(deviceId);
    if (e === undefined) return undefined;
    const p = merge(e.profile?.["*"], e.profile?.[key], e.device?.["*"], e.device?.[key]);
    return p === undefined ? undefined : toPointPolicy(key, p);
  }
}

/** A profile's report map, with Modbus points' inline `report` folded in per key. */
function profileReport(profile: Profile): ReportMap | undefined {
  const out: ReportMap = { ...profile.report };
  if (profile.driver === "modbus") {
    for (const pt of profile.points)
      if (pt.report !== undefined) out[pt.key] = merge(out[pt.key], pt.report)!;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}
