/**
 * What the ingest event loop and a decode thread exchange (decode-pool.ts ↔ decode-thread.ts).
 * Bulk data travels in transferred buffers, not as cloned objects:
 *  - request: the payloads of a run of telemetry messages (live, or journal records being
 *    caught up) concatenated into one ArrayBuffer, with each message's end offset and
 *    gateway id, and the time the validation takes as "now";
 *  - reply: a verdict per message plus every accepted reading, in message order, as columns:
 *    sensor index (the registry's dense index), ts, value (NaN = null; NaN is never a valid
 *    reading), and quality·8 + level (hot-store codes).
 * The thread's registry is sent once at start as columns (`RegistryColumns`).
 */
import type { RejectReason } from "@citytwin/model";
import type { IngestLimits } from "./validate";
import type { DeviceRegistry } from "./registry";

export interface RegistryColumns {
  deviceIds: string[];
  gatewayIds: string[];
  /** Per sensor: its device's position in `deviceIds`, key, dense index, id and kind. */
  sensorDevice: Int32Array;
  sensorKey: string[];
  sensorIndex: Int32Array;
  sensorId: string[];
  sensorKind: string[];
}

export interface DecodeThreadInit {
  registry: RegistryColumns;
  limits: IngestLimits;
}

export interface DecodeRequest {
  id: number;
  /** "Now" for the time-window checks: one for the run, or one per message (journal catch-up). */
  now: number | Float64Array;
  gatewayIds: string[];
  payloads: ArrayBuffer;
  ends: Uint32Array;
}

/** Per message; `n` accepted readings follow the previous message's in the columns. */
export type WireVerdict =
  | { ok: false; reason: RejectReason; message: string }
  | { ok: true; epoch: number; seq: number; n: number; rejected?: [RejectReason, number, string][] };

export interface DecodeReply {
  id: number;
  verdicts: WireVerdict[];
  index: Int32Array<ArrayBuffer>;
  ts: Float64Array<ArrayBuffer>;
  value: Float64Array<ArrayBuffer>;
  code: Uint8Array<ArrayBuffer>;
}

export function registryColumns(registry: DeviceRegistry): RegistryColumns {
  const cols: RegistryColumns = {
    deviceIds: [],
    gatewayIds: [],
    sensorDevice: new Int32Array(registry.sensors.length),
    sensorKey: [],
    sensorIndex: new Int32Array(registry.sensors.length),
    sensorId: [],
    sensorKind: [],
  };
  let row = 0;
  for (const device of registry.devices.values()) {
    const d = cols.deviceIds.length;
    cols.deviceIds.push(device.deviceId);
    cols.gatewayIds.push(device.gatewayId);
    for (const [key, s] of device.sensors) {
      cols.sensorDevice[row] = d;
      cols.sensorIndex[row++] = s.index;
      cols.sensorKey.push(key);
      cols.sensorId.push(s.sensorId);
      cols.sensorKind.push(s.kind);
    }
  }
  return cols;
}
