/**
 * Reading sources for an agent: synthetic (the demo's signal engine, round-robin over the
 * agent's sensors at its share of the offered rate, incidents applied by the engine) or a
 * replayed trace (the agent's rows, due at (t − first) / speed after the start). Readings of a
 * device inside a `device_offline` window are left out (counted as suppressed).
 */
import type { SignalEngine } from "../signals";
import type { Reading, Source } from "./agent";
import type { OfflineWindow } from "./faults";
import { dueBy, type RateSpec } from "./pacing";
import { replayOffsetMs, type TraceReading } from "./trace";

/** Whether a device is offline at `ts` (ms), given the run's start. */
export function offlineCheck(
  windows: OfflineWindow[],
  startMs: number,
): (deviceId: string, ts: number) => boolean {
  if (windows.length === 0) return () => false;
  const byDevice = new Map<string, [number, number][]>();
  for (const w of windows)
    for (const d of w.deviceIds) {
      const list = byDevice.get(d) ?? [];
      list.push([startMs + w.startS * 1000, startMs + w.endS * 1000]);
      byDevice.set(d, list);
    }
  return (d, ts) => byDevice.get(d)?.some(([a, b]) => ts >= a && ts < b) ?? false;
}

const split = (sensorId: string) => {
  const dot = sensorId.lastIndexOf(".");
  return { deviceId: sensorId.slice(0, dot), key: sensorId.slice(dot + 1) };
};

export function syntheticSource(
  sensors: string[],
  share: number,
  rate: RateSpec,
  engine: SignalEngine,
  offline: (deviceId: string, ts: number) => boolean,
): Source {
  const parts = sensors.map(split);
  let cursor = 0;
  return {
    due: (elapsedMs) => dueBy(rate, elapsedMs / 1000) * share,
    take(n, ts) {
      const out: Reading[] = [];
      for (let i = 0; i < n; i++) {
        const k = cursor;
        cursor = (cursor + 1) % sensors.length;
        const p = parts[k]!;
        if (!offline(p.deviceId, ts)) out.push({ ...p, value: engine.value(sensors[k]!, ts) });
      }
      return out;
    },
  };
}

export function replaySource(
  rows: TraceReading[],
  firstT: number,
  speed: number,
  offline: (deviceId: string, ts: number) => boolean,
): Source {
  const offsets = rows.map((r) => replayOffsetMs(r, firstT, speed));
  let next = 0;
  return {
    due(elapsedMs) {
      let lo = 0;
      let hi = offsets.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (offsets[mid]! <= elapsedMs) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
    take(n, ts) {
      const out: Reading[] = [];
      for (const r of rows.slice(next, next + n)) {
        const p = split(r.sensor);
        if (!offline(p.deviceId, ts))
          out.push({ ...p, value: r.value, ...(r.quality === undefined ? {} : { quality: r.quality }) });
      }
      next += n;
      return out;
    },
  };
}
