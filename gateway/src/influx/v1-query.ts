/**
 * History reads from InfluxDB 1.x through InfluxQL GET /query [InfluxDB 1.x HTTP API, /query],
 * epoch=ms so times come back as integers.
 */
import { CityTwinError, QUALITIES, type Quality } from "@citytwin/model";
import type { InfluxV1Resolved } from "../config/load";
import type { HistoryPoint } from "../hot-store/hot-store";
import { v1AuthHeaders } from "./v1-writer";

/** InfluxQL string literal: single quotes, backslash-escaped [InfluxQL spec, "Strings"]. */
export function influxqlString(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** InfluxQL identifier: double quotes, backslash-escaped. */
export function influxqlIdent(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

interface QueryResponse {
  results?: { error?: string; series?: { columns: string[]; values: unknown[][] }[] }[];
  error?: string;
}

export async function queryV1History(
  target: InfluxV1Resolved,
  measurement: string,
  sensorId: string,
  from: number,
  to: number,
  limit: number,
): Promise<HistoryPoint[]> {
  const rp = target.retentionPolicy === undefined ? "" : `${influxqlIdent(target.retentionPolicy)}.`;
  const q =
    `SELECT "value", "quality" FROM ${rp}${influxqlIdent(measurement)} WHERE "sensor" = ${influxqlString(sensorId)}` +
    ` AND time >= ${Math.trunc(from)}ms AND time <= ${Math.trunc(to)}ms ORDER BY time ASC LIMIT ${limit}`;
  const u = new URL("/query", target.url);
  u.searchParams.set("db", target.database);
  u.searchParams.set("epoch", "ms");
  u.searchParams.set("q", q);
  let body: QueryResponse;
  try {
    const res = await fetch(u, { headers: v1AuthHeaders(target) });
    body = (await res.json()) as QueryResponse;
    if (!res.ok)
      throw new CityTwinError("INFLUX_QUERY", `InfluxDB /query answered ${res.status}: ${body.error ?? ""}`);
  } catch (cause) {
    if (cause instanceof CityTwinError) throw cause;
    throw new CityTwinError("INFLUX_QUERY", "InfluxDB /query request failed", { cause });
  }
  const result = body.results?.[0];
  if (result?.error !== undefined) throw new CityTwinError("INFLUX_QUERY", `InfluxQL error: ${result.error}`);
  const series = result?.series?.[0];
  if (series === undefined) return [];
  const ti = series.columns.indexOf("time");
  const vi = series.columns.indexOf("value");
  const qi = series.columns.indexOf("quality");
  return series.values.map((row) => {
    const v = row[vi];
    const q = row[qi];
    const quality: Quality =
      typeof q === "string" && (QUALITIES as readonly string[]).includes(q) ? (q as Quality) : "good";
    return [Number(row[ti]), typeof v === "number" ? v : null, quality];
  });
}
