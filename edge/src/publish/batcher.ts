/**
 * Collects readings into TelemetryBatch `devices` maps. Readings of the same device with the
 * same ts and clock share one entry; `q` lists only non-good keys (a null value always has a
 * non-good quality: a reading with value null and quality good is recorded as bad).
 * `drain()` splits so no part exceeds MAX_READINGS_PER_BATCH readings or, serialised with its
 * header, MAX_TELEMETRY_BYTES.
 */
import { MAX_READINGS_PER_BATCH, MAX_TELEMETRY_BYTES, type TelemetryEntry } from "@citytwin/model";
import type { Reading } from "../drivers/types";

export type DeviceEntries = Record<string, TelemetryEntry[]>;

/** One drained part and its `devices` map serialised (JSON.stringify(devices)). */
export interface DrainedPart {
  devices: DeviceEntries;
  json: string;
}

/** Room kept for the batch header ({"v":1,"epoch":…,"seq":…,"sentAt":…,"devices":…}). */
const HEADER_BYTES = 128;

export class TelemetryBatcher {
  private entries = new Map<string, Map<string, TelemetryEntry>>();
  private count = 0;
  private oldest: number | undefined;

  constructor(
    private readonly maxBytes = MAX_TELEMETRY_BYTES,
    private readonly maxReadings = MAX_READINGS_PER_BATCH,
  ) {}

  /** Readings held. */
  get size(): number {
    return this.count;
  }

  /** Edge time the oldest held reading was added, or undefined when empty. */
  get oldestAt(): number | undefined {
    return this.oldest;
  }

  add(r: Reading, now: number): void {
    let dev = this.entries.get(r.deviceId);
    if (dev === undefined) {
      dev = new Map();
      this.entries.set(r.deviceId, dev);
    }
    const k = `${r.ts}|${r.clock}`;
    let e = dev.get(k);
    if (e === undefined) {
      e = { ts: r.ts, clock: r.clock, values: {} };
      dev.set(k, e);
    }
    if (!(r.key in e.values)) this.count++;
    e.values[r.key] = r.value;
    const q = r.value === null && r.quality === "good" ? "bad" : r.quality;
    if (q !== "good") (e.q ??= {})[r.key] = q;
    else if (e.q !== undefined) delete e.q[r.key];
    this.oldest ??= now;
  }

  /** Takes everything held, as one or more `devices` maps within the limits. */
  drain(): DeviceEntries[] {
    return this.drainParts().map((p) => p.devices);
  }

  /**
   * As drain(), with each part's serialised `devices` map: the size check serialises it
   * anyway, so the publisher splices it into the payload instead of serialising it again.
   */
  drainParts(): DrainedPart[] {
    const flat: [string, TelemetryEntry][] = [];
    for (const [id, dev] of this.entries) {
      for (const e of dev.values()) {
        if (e.q !== undefined && Object.keys(e.q).length === 0) delete e.q;
        flat.push([id, e]);
      }
    }
    this.entries = new Map();
    this.count = 0;
    this.oldest = undefined;
    const out: DrainedPart[] = [];
    this.split(flat, out);
    return out;
  }

  private split(flat: [string, TelemetryEntry][], out: DrainedPart[]): void {
    if (flat.length === 0) return;
    let readings = 0;
    for (const [, e] of flat) readings += Object.keys(e.values).length;
    const devices = group(flat);
    if (readings <= this.maxReadings) {
      const json = JSON.stringify(devices);
      if (json.length + HEADER_BYTES <= this.maxBytes) {
        out.push({ devices, json });
        return;
      }
    }
    if (flat.length === 1) {
      // One entry too large: split its keys.
      const [id, e] = flat[0] as [string, TelemetryEntry];
      const keys = Object.keys(e.values);
      if (keys.length <= 1) return; // cannot be split further; a single value always fits 256 chars
      const half = Math.ceil(keys.length / 2);
      this.split([[id, pick(e, keys.slice(0, half))]], out);
      this.split([[id, pick(e, keys.slice(half))]], out);
      return;
    }
    const half = Math.ceil(flat.length / 2);
    this.split(flat.slice(0, half), out);
    this.split(flat.slice(half), out);
  }
}

function group(flat: [string, TelemetryEntry][]): DeviceEntries {
  const out: DeviceEntries = {};
  for (const [id, e] of flat) (out[id] ??= []).push(e);
  return out;
}

function pick(e: TelemetryEntry, keys: string[]): TelemetryEntry {
  const out: TelemetryEntry = { ts: e.ts, clock: e.clock, values: {} };
  for (const k of keys) {
    out.values[k] = e.values[k] ?? null;
    const q = e.q?.[k];
    if (q !== undefined) (out.q ??= {})[k] = q;
  }
  return out;
}

/** Number of readings (value entries) in a devices map. */
export function countReadings(devices: DeviceEntries): number {
  let n = 0;
  for (const list of Object.values(devices)) for (const e of list) n += Object.keys(e.values).length;
  return n;
}
