/**
 * Detector state snapshots: what a gateway writes before it stops and reads back when it
 * starts, so learned baselines, raised levels and rule windows survive a restart.
 *
 * Format `citytwin.detect.snapshot` version 1: plain JSON keyed by ids (sensor, device,
 * gateway, composite key), so a snapshot still applies when the city model gained or lost
 * entries. On restore, each entry is taken only when its shape matches the state the engine
 * would create now for that entry (same fields, same array lengths); otherwise that entry
 * starts fresh (a profile changed, e.g. a detector switched on). Unknown ids are ignored.
 */
import { CityTwinError } from "../errors";
import type { CompositeState, FlagState } from "./composite";
import type { DeviceLive, GatewayLive } from "./liveness";
import type { SensorState } from "./sensor-stack";

export const SNAPSHOT_FORMAT = "citytwin.detect.snapshot";
export const SNAPSHOT_VERSION = 1;

export interface DetectionSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  /** Latest time the engine had seen (reading, heartbeat or tick), ms. */
  takenAt: number;
  sensors: Record<string, SensorState>;
  devices: Record<string, DeviceLive>;
  gateways: Record<string, GatewayLive>;
  composites: Record<string, CompositeState>;
  flags: Record<string, FlagState>;
}

/** True when `raw` has the same shape as `fresh`: same keys, same value types, same array lengths. */
export function sameShape(fresh: unknown, raw: unknown): boolean {
  if (fresh === null || typeof fresh !== "object") {
    return fresh === null
      ? raw === null
      : typeof raw === typeof fresh && (typeof raw !== "number" || Number.isFinite(raw));
  }
  if (raw === null || typeof raw !== "object") return false;
  if (Array.isArray(fresh)) {
    return Array.isArray(raw) && raw.length === fresh.length && fresh.every((f, i) => sameShape(f, raw[i]));
  }
  if (Array.isArray(raw)) return false;
  const f = fresh as Record<string, unknown>;
  const r = raw as Record<string, unknown>;
  const keys = Object.keys(f);
  return keys.length === Object.keys(r).length && keys.every((k) => k in r && sameShape(f[k], r[k]));
}

/** `raw` (deep-copied) when it fits `fresh`'s shape, else `fresh`. */
export function adopt<T>(fresh: T, raw: unknown): T {
  return sameShape(fresh, raw) ? (structuredClone(raw) as T) : fresh;
}

/** Checks format and version; throws CityTwinError DETECT_BAD_SNAPSHOT otherwise. */
export function checkSnapshot(raw: unknown): DetectionSnapshot {
  const s = raw as Partial<DetectionSnapshot> | null;
  if (s === null || typeof s !== "object" || s.format !== SNAPSHOT_FORMAT)
    throw new CityTwinError("DETECT_BAD_SNAPSHOT", `not a ${SNAPSHOT_FORMAT}`);
  if (s.version !== SNAPSHOT_VERSION)
    throw new CityTwinError(
      "DETECT_BAD_SNAPSHOT",
      `snapshot version ${String(s.version)} is not supported (expected ${SNAPSHOT_VERSION})`,
    );
  for (const key of ["sensors", "devices", "gateways", "composites", "flags"] as const) {
    const v = s[key];
    if (v === null || typeof v !== "object" || Array.isArray(v))
      throw new CityTwinError("DETECT_BAD_SNAPSHOT", `snapshot.${key} must be an object`);
  }
  return s as DetectionSnapshot;
}

/** The engine's state, by parallel arrays of ids and states. */
export interface SnapshotParts {
  takenAt: number;
  sensorIds: readonly string[];
  sensors: SensorState[];
  deviceIds: readonly string[];
  devices: DeviceLive[];
  gatewayIds: readonly string[];
  gateways: GatewayLive[];
  compositeKeys: readonly string[];
  composites: CompositeState[];
  flags: Map<string, FlagState>;
}

function byId<T>(ids: readonly string[], items: readonly T[]): Record<string, T> {
  return Object.fromEntries(items.map((item, i) => [ids[i] ?? String(i), item]));
}

/** A deep, JSON-clean copy of the state. */
export function buildSnapshot(p: SnapshotParts): DetectionSnapshot {
  const snap: DetectionSnapshot = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    takenAt: p.takenAt,
    sensors: byId(p.sensorIds, p.sensors),
    devices: byId(p.deviceIds, p.devices),
    gateways: byId(p.gatewayIds, p.gateways),
    composites: byId(p.compositeKeys, p.composites),
    flags: Object.fromEntries(p.flags),
  };
  return JSON.parse(JSON.stringify(snap)) as DetectionSnapshot;
}

/**
 * Writes a checked snapshot into `p` in place: sensor states are replaced (array slots),
 * the others updated with Object.assign so references held elsewhere stay valid.
 * Returns the snapshot's takenAt.
 */
export function restoreSnapshot(raw: unknown, p: SnapshotParts): number {
  const snap = checkSnapshot(raw);
  p.sensors.forEach((st, i) => {
    p.sensors[i] = adopt(st, snap.sensors[p.sensorIds[i] ?? ""]);
  });
  const assignAll = <T extends object>(ids: readonly string[], items: T[], from: Record<string, T>) =>
    items.forEach((item, i) => Object.assign(item, adopt(item, from[ids[i] ?? ""])));
  assignAll(p.deviceIds, p.devices, snap.devices);
  assignAll(p.gatewayIds, p.gateways, snap.gateways);
  assignAll(p.compositeKeys, p.composites, snap.composites);
  p.flags.clear();
  for (const [name, f] of Object.entries(snap.flags)) {
    if (typeof f?.on === "boolean" && typeof f.offAt === "number" && Number.isFinite(f.offAt))
      p.flags.set(name, { on: f.on, offAt: f.offAt });
  }
  return typeof snap.takenAt === "number" && Number.isFinite(snap.takenAt) ? snap.takenAt : Number.NaN;
}
