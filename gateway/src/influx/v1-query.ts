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
  results?: { error?: string; series?: V1Series[] }[];
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
  const rp = rpPrefix(target);
  const q =
    `SELECT "value", "quality" FROM ${rp}${influxqlIdent(measurement)} WHERE "sensor" = ${influxqlString(sensorId)}` +
    ` AND time >= ${Math.trunc(from)}ms AND time <= ${Math.trunc(to)}ms ORDER BY time ASC LIMIT ${limit}`;
  const series = (await runV1Query(target, q))[0];
  if (series === undefined) return [];
  const ti = series.columns.indexOf("time");
  const vi = series.columns.indexOf("value");
  const qi = series.columns.indexOf("quality");
  return series.values.map((row) => [Number(row[ti]), numberOrNull(row[vi]), qualityOf(row[qi])]);
}

export interface V1Series {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** Runs one InfluxQL statement (epoch=ms); its series, or a CityTwinError INFLUX_QUERY. */
export async function runV1Query(target: InfluxV1Resolved, q: string): Promise<V1Series[]> {
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
  return result?.series ?? [];
}

/** `<rp>.` prefix for measurement names, empty without a retention policy. */
export function rpPrefix(target: InfluxV1Resolved): string {
  return target.retentionPolicy === undefined ? "" : `${influxqlIdent(target.retentionPolicy)}.`;
}

export function numberOrNull(v: unknown): number | null {
  return typeof v === "number" ? v : null;
}

/** A stored quality string, "good" for anything unknown. */
export function qualityOf(q: unknown): Quality {
  return typeof q === "string" && (QUALITIES as readonly string[]).includes(q) ? (q as Quality) : "good";
}
