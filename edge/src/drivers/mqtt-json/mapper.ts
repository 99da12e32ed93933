/**
 * Maps one vendor JSON payload to readings for every device entry subscribed to its topic.
 * Pure: the payload is parsed once by the caller and fanned out here.
 *   - timestampPath: ms number or ISO-8601 string → clock "device"; absent/invalid → edge clock.
 *   - a field that is absent is skipped (partial payloads are normal);
 *   - a field that is not a number, boolean or short string → value null, quality "bad".
 */
import type { MqttJsonProfile } from "../../config/schema";
import type { Reading } from "../types";
import { getPath } from "./json-path";

export interface MappedDevice {
  deviceId: string;
  profile: MqttJsonProfile;
}

const MAX_STRING = 256;

export function parseDeviceTimestamp(raw: unknown): number | undefined {
  if (typeof raw === "number" && Number.isFinite(raw) && raw >= 0) return Math.round(raw);
  if (typeof raw === "string") {
    const t = Date.parse(raw);
    if (Number.isFinite(t) && t >= 0) return t;
  }
  return undefined;
}

export function mapPayload(
  payload: unknown,
  devices: readonly MappedDevice[],
  edgeNow: number,
  out: Reading[],
): void {
  for (const { deviceId, profile } of devices) {
    const devTs =
      profile.timestampPath === undefined
        ? undefined
        : parseDeviceTimestamp(getPath(payload, profile.timestampPath));
    const ts = devTs ?? edgeNow;
    const clock = devTs === undefined ? "edge" : "device";
    for (const [key, path] of Object.entries(profile.fields)) {
      const v = getPath(payload, path);
      if (v === undefined) continue;
      const ok =
        (typeof v === "number" && Number.isFinite(v)) ||
        typeof v === "boolean" ||
        (typeof v === "string" && v.length <= MAX_STRING);
      out.push({
        deviceId,
        key,
        ts,
        clock,
        value: ok ? (v as number | boolean | string) : null,
        quality: ok ? "good" : "bad",
      });
    }
  }
}
