/**
 * InfluxDB line protocol [https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/]:
 *
 *   measurement,tag=v,tag=v value=1.5,quality="good" 1700000000000
 *
 * Escaping: measurement: `,` and space; tag keys, tag values and field keys: `,`, `=` and
 * space; string field values: `"` and `\`. Tags are written sorted by key (InfluxDB's
 * canonical order, cheaper to index). Timestamps are ms (`precision=ms`). Every series key is
 * built once per sensor (registry), so a line costs one concatenation per reading.
 */
import type { Quality } from "@citytwin/model";

const MEASUREMENT_SPECIAL = /[, ]/g;
const TAG_SPECIAL = /[,= ]/g;
const FIELD_STRING_SPECIAL = /["\\]/g;

export function escapeMeasurement(s: string): string {
  return s.replace(MEASUREMENT_SPECIAL, "\\$&");
}

/** For tag keys, tag values and field keys. */
export function escapeTag(s: string): string {
  return s.replace(TAG_SPECIAL, "\\$&");
}

export function escapeFieldString(s: string): string {
  return `"${s.replace(FIELD_STRING_SPECIAL, "\\$&")}"`;
}

/** `measurement,k=v,…` with tags sorted by key; empty tag values are omitted (not allowed). */
export function seriesKey(measurement: string, tags: Record<string, string>): string {
  let out = escapeMeasurement(measurement);
  for (const key of Object.keys(tags).sort()) {
    const value = tags[key];
    if (value === undefined || value === "") continue;
    out += `,${escapeTag(key)}=${escapeTag(value)}`;
  }
  return out;
}

/**
 * One point: float field `value` (omitted when null or non-finite, so a bad reading still
 * records its quality) and string field `quality`; timestamp in ms.
 */
export function pointLine(series: string, value: number | null, quality: Quality, tsMs: number): string {
  const v = value !== null && Number.isFinite(value) ? `value=${value},` : "";
  return `${series} ${v}quality="${quality}" ${Math.trunc(tsMs)}`;
}
