/**
 * Chaos-suite accounting: readings acknowledged at the edge (the agents' ack ledgers,
 * edge/src/publish/ack-ledger.ts) against points present in InfluxDB (the gateway's schema,
 * gateway/README.md "InfluxDB schema"), compared per (sensor, ts).
 *
 * - acknowledged: every reading of every (gateway, epoch, seq) batch some ledger line records;
 *   a batch PUBACKed twice (QoS 1 redelivery after a crash) counts once.
 * - stored: the reading is a point of its sensor's series (measurement = domain, tags from the
 *   city model) at its ts.
 * - missing: acknowledged and not stored.
 * - duplicated: InfluxDB overwrites a point with the same measurement, tags and time, so a
 *   reading stored twice under the same key is invisible there. A duplicate can show as
 *   (a) the same (sensor, ts) stored in more than one series (another measurement or tag set),
 *   or (b) the same (sensor, ts) acknowledged in two different batches (another (epoch, seq):
 *   the gateway's seq dedup cannot drop it, so it is accepted, counted and written twice).
 */
import { readFileSync } from "node:fs";
import type { CityModel } from "@citytwin/model";
import { query } from "../support/influxd";

export interface LedgerLine {
  at: number;
  epoch: number;
  seq: number;
  n: number;
  r?: [string, string, number][];
}

/** One acknowledged batch, as first recorded. */
export interface AckedBatch {
  gateway: string;
  epoch: number;
  seq: number;
  at: number;
  readings: [string, number][]; // [sensorId, ts]
}

export interface SensorInfo {
  sensorId: string;
  /** measurement + sorted tags, as InfluxDB returns them (GROUP BY *). */
  seriesKey: string;
}

/** (deviceId \t key) → sensor, from the city model (the gateway registry's mapping). */
export function sensorMap(city: CityModel): Map<string, SensorInfo> {
  const assets = new Map(city.assets.map((a) => [a.id, a]));
  const devices = new Map(city.devices.map((d) => [d.id, d]));
  const out = new Map<string, SensorInfo>();
  for (const s of city.sensors) {
    const d = devices.get(s.deviceId);
    if (d === undefined) continue;
    const tags = {
      asset: d.assetId,
      asset_type: assets.get(d.assetId)?.type ?? "unknown",
      device: d.id,
      district: city.district.adcode,
      gateway: d.gatewayId,
      sensor: s.id,
      tenant: city.tenant,
    };
    out.set(`${d.id}\t${s.key}`, { sensorId: s.id, seriesKey: seriesKeyOf(s.domain, tags) });
  }
  return out;
}

export function seriesKeyOf(measurement: string, tags: Record<string, string>): string {
  const t = Object.entries(tags)
    .filter(([, v]) => v !== "")
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`);
  return [measurement, ...t].join(",");
}

/** Parses ledger files (one per gateway); the last line may be torn by a kill -9 and is skipped. */
export function readLedgers(files: Map<string, string>, sensors: Map<string, SensorInfo>): AckedBatch[] {
  const out: AckedBatch[] = [];
  const seen = new Set<string>();
  for (const [gateway, file] of files) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const raw of text.split("\n")) {
      if (raw === "") continue;
      let line: LedgerLine;
      try {
        line = JSON.parse(raw) as LedgerLine;
      } catch {
        continue; // torn tail
      }
      const id = `${gateway}/${line.epoch}/${line.seq}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const readings: [string, number][] = [];
      for (const [device, key, ts] of line.r ?? []) {
        const s = sensors.get(`${device}\t${key}`);
        readings.push([s?.sensorId ?? `?${device}/${key}`, ts]);
      }
      if (readings.length !== line.n)
        throw new Error(`ledger ${file}: ${id} lists ${readings.length} readings, n=${line.n}`);
      out.push({ gateway, epoch: line.epoch, seq: line.seq, at: line.at, readings });
    }
  }
  return out;
}

/** Every stored point: `sensor\tts` → the series keys holding it. */
export type StoredIndex = Map<string, string[]>;

/** Reads every point at or after `sinceMs` from InfluxDB, grouped by series (all tags). */
export async function readStored(url: string, db: string, sinceMs: number): Promise<StoredIndex> {
  const index: StoredIndex = new Map();
  const res = await query(
    url,
    db,
    `SELECT "quality" FROM /.*/ WHERE time >= ${Math.floor(sinceMs)}ms GROUP BY *`,
    "ms",
  );
  const result = res.results[0] as { series?: unknown[]; partial?: boolean } | undefined;
  if (result?.partial === true) throw new Error("InfluxDB returned a partial result (max-row-limit)");
  for (const s of res.results[0]?.series ?? []) {
    const tags = s.tags ?? {};
    const key = seriesKeyOf(s.name, tags);
    const sensor = tags.sensor ?? "";
    for (const v of s.values) {
      const k = `${sensor}\t${String(v[0])}`;
      const list = index.get(k);
      if (list === undefined) index.set(k, [key]);
      else if (!list.includes(key)) list.push(key);
    }
  }
  return index;
}

export interface Tally {
  batches: number;
  acknowledged: number;
  stored: number;
  duplicated: number;
  missing: number;
  /** Up to 20 missing readings, `sensor ts (gateway epoch/seq)`. */
  missingSample: string[];
  duplicatedSample: string[];
}

/**
 * Compares acknowledged batches (the ones selected) with the stored index. `allBatches` is the
 * whole ledger, for duplicates across batches of other phases.
 */
export function tally(
  selected: readonly AckedBatch[],
  allBatches: readonly AckedBatch[],
  stored: StoredIndex,
  sensors: Map<string, SensorInfo>,
): Tally {
  const expectedSeries = new Map([...sensors.values()].map((s) => [s.sensorId, s.seriesKey]));
  const ackedIn = new Map<string, number>();
  for (const b of allBatches)
    for (const [sensor, ts] of b.readings) {
      const k = `${sensor}\t${ts}`;
      ackedIn.set(k, (ackedIn.get(k) ?? 0) + 1);
    }
  const t: Tally = {
    batches: selected.length,
    acknowledged: 0,
    stored: 0,
    duplicated: 0,
    missing: 0,
    missingSample: [],
    duplicatedSample: [],
  };
  for (const b of selected) {
    for (const [sensor, ts] of b.readings) {
      t.acknowledged++;
      const k = `${sensor}\t${ts}`;
      const series = stored.get(k) ?? [];
      if (series.includes(expectedSeries.get(sensor) ?? "")) t.stored++;
      else {
        t.missing++;
        if (t.missingSample.length < 20)
          t.missingSample.push(
            `${sensor} ${ts} (${b.gateway} ${b.epoch}/${b.seq}) in [${series.join(" | ")}]`,
          );
      }
      if (series.length > 1 || (ackedIn.get(k) ?? 0) > 1) {
        t.duplicated++;
        if (t.duplicatedSample.length < 20)
          t.duplicatedSample.push(
            `${sensor} ${ts}: ${series.length} series, acknowledged in ${ackedIn.get(k) ?? 0} batches`,
          );
      }
    }
  }
  return t;
}
