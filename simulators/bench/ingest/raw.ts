/**
 * The raw InfluxDB ceiling: line-protocol batches in the gateway's schema (the series keys of
 * the gateway's own DeviceRegistry for the bench city, `pointLine` for the fields), built
 * before the clock starts, then POSTed to `/write?precision=ms` by `concurrency` parallel
 * requests for `seconds` or until the pool is used up. Every line is a distinct point
 * (sensor × timestamp), so `SELECT count(value)` afterwards must equal the lines acknowledged.
 */
import { DeviceRegistry, pointLine } from "@citytwin/gateway";
import type { CityModel } from "@citytwin/model";

export interface RawResult {
  points: number;
  batches: number;
  seconds: number;
  pointsPerS: number;
  /** `SELECT count(value)` after the run. */
  counted: number;
  concurrency: number;
  batchLines: number;
  failures: number;
}

export function buildBatches(
  city: CityModel,
  totalPoints: number,
  batchLines: number,
  baseTs: number,
): Uint8Array<ArrayBuffer>[] {
  const series = new DeviceRegistry(city).sensors.map((s) => s.series);
  const out: Uint8Array<ArrayBuffer>[] = [];
  const enc = new TextEncoder();
  let k = 0;
  while (k < totalPoints) {
    const lines: string[] = [];
    for (let i = 0; i < batchLines; i++, k++) {
      const s = k % series.length;
      lines.push(
        pointLine(series[s]!, 1.2 + (k % 100) / 100, "good", baseTs + Math.floor(k / series.length)),
      );
    }
    out.push(enc.encode(lines.join("\n")));
  }
  return out;
}

export async function postRaw(
  url: string,
  db: string,
  batches: Uint8Array<ArrayBuffer>[],
  batchLines: number,
  concurrency: number,
  seconds: number,
): Promise<Omit<RawResult, "counted">> {
  const u = new URL("/write", url);
  u.searchParams.set("db", db);
  u.searchParams.set("precision", "ms");
  const target = u.toString();
  let next = 0;
  let points = 0;
  let done = 0;
  let failures = 0;
  const t0 = performance.now();
  const endAt = t0 + seconds * 1000;
  const lane = async () => {
    while (performance.now() < endAt && next < batches.length) {
      const body = batches[next++]!;
      const res = await fetch(target, { method: "POST", headers: { "content-type": "text/plain" }, body });
      await res.body?.cancel();
      if (res.status === 204) {
        points += batchLines;
        done++;
      } else failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsed = (performance.now() - t0) / 1000;
  return {
    points,
    batches: done,
    seconds: elapsed,
    pointsPerS: points / elapsed,
    concurrency,
    batchLines,
    failures,
  };
}
