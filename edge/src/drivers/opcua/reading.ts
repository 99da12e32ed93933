/**
 * DataValue → Reading [OPC 10000-4 §7.11 DataValue]. SourceTimestamp → clock "device", else
 * ServerTimestamp → "server", else the edge clock. Values that are not numbers, booleans or
 * strings (structures, most arrays) become null with quality bad.
 */
import type { Quality } from "@citytwin/model";
import type { DataValue } from "node-opcua";
import type { Reading } from "../types";

export function dataValueToReading(
  deviceId: string,
  key: string,
  dv: DataValue,
  quality: Quality,
  now: number,
): Reading {
  const src = dv.sourceTimestamp?.getTime();
  const srv = dv.serverTimestamp?.getTime();
  const [ts, clock] =
    src !== undefined && src > 0
      ? [src, "device" as const]
      : srv !== undefined && srv > 0
        ? [srv, "server" as const]
        : [now, "edge" as const];
  const raw: unknown = dv.value?.value;
  let value: number | boolean | string | null = null;
  if (typeof raw === "number" || typeof raw === "boolean") value = raw;
  else if (typeof raw === "bigint") value = Number(raw);
  else if (typeof raw === "string") value = raw.slice(0, 256);
  else if (Array.isArray(raw) && raw.length === 2 && raw.every((x) => typeof x === "number")) {
    value = (raw[0] as number) * 2 ** 32 + (raw[1] as number); // node-opcua Int64/UInt64 [hi, lo]
  }
  const q = value === null && quality === "good" ? "bad" : quality;
  return { deviceId, key, ts: Math.round(ts), clock, value, quality: q };
}
