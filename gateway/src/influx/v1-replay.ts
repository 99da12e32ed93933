/**
 * Replay from InfluxDB 1.x: every sensor's newest point in (at - lookback, at], one InfluxQL
 * statement over all domain measurements. `ORDER BY time DESC LIMIT 1` with `GROUP BY "sensor"`
 * limits per series, so each sensor's row is one real point: its own time, value and quality
 * (two `last()` selectors would report the query's lower time bound and could mix points when
 * the value field is absent). InfluxDB stores no level, so the caller recomputes it.
 */
import { DOMAINS } from "@citytwin/model";
import type { InfluxV1Resolved } from "../config/load";
import { influxqlIdent, numberOrNull, qualityOf, rpPrefix, runV1Query } from "./v1-query";
import type { HistoryPoint } from "../hot-store/hot-store";

/** How far back before `at` a sensor's last point is looked for (1 h). */
export const REPLAY_LOOKBACK_MS = 3600_000;

/** sensorId → its newest point at or before `at` (within the lookback). */
export async function queryV1Replay(
  target: InfluxV1Resolved,
  at: number,
  lookbackMs = REPLAY_LOOKBACK_MS,
): Promise<Map<string, HistoryPoint>> {
  const rp = rpPrefix(target);
  const from = DOMAINS.map((d) => `${rp}${influxqlIdent(d)}`).join(", ");
  const to = Math.trunc(at);
  const q =
    `SELECT "value", "quality" FROM ${from} WHERE time <= ${to}ms AND time > ${to - lookbackMs}ms` +
    ` GROUP BY "sensor" ORDER BY time DESC LIMIT 1`;
  const out = new Map<string, HistoryPoint>();
  for (const series of await runV1Query(target, q)) {
    const sensorId = series.tags?.sensor;
    const row = series.values[0];
    if (sensorId === undefined || row === undefined) continue;
    const ts = Number(row[series.columns.indexOf("time")]);
    const prev = out.get(sensorId);
    if (prev !== undefined && prev[0] >= ts) continue;
    const value = numberOrNull(row[series.columns.indexOf("value")]);
    out.set(sensorId, [ts, value, qualityOf(row[series.columns.indexOf("quality")])]);
  }
  return out;
}
