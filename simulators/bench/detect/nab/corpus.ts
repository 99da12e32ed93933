/**
 * Loads the NAB subset in ../shared/data/nab (see its README.md): the data files listed in
 * combined_windows.json, their windows as row-index ranges, and the cost profiles.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CostProfile, LabelledSeries } from "./nab-scorer";

export interface NabFile extends LabelledSeries {
  /** Timestamps in ms (UTC, as NAB treats them: no time zone). */
  ts: Float64Array;
  values: Float64Array;
}

export interface NabCorpus {
  files: NabFile[];
  profiles: Record<ProfileName, CostProfile>;
}

export const PROFILE_NAMES = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Parses NAB's `YYYY-MM-DD HH:MM:SS[.ffffff]` as UTC ms; NaN when malformed. */
export function parseNabTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(text.trim());
  if (m === null) return NaN;
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac === undefined ? 0 : Math.round(Number(frac) * 1000);
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
}

function readSeries(path: string): { ts: Float64Array; values: Float64Array } {
  const lines = readFileSync(path, "utf8").split(/\r?\n/);
  const ts: number[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    const comma = line.indexOf(",");
    const t = parseNabTime(line.slice(0, comma));
    const v = Number(line.slice(comma + 1));
    if (comma < 0 || Number.isNaN(t) || !Number.isFinite(v)) {
      throw new Error(`${path}:${i + 1}: expected "timestamp,value", got ${JSON.stringify(line)}`);
    }
    ts.push(t);
    values.push(v);
  }
  return { ts: Float64Array.from(ts), values: Float64Array.from(values) };
}

/** Index of the first row with ts ≥ t (binary search over sorted timestamps). */
function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] ?? Infinity) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function loadNabCorpus(dataDir: string): NabCorpus {
  const windowsJson = JSON.parse(readFileSync(join(dataDir, "combined_windows.json"), "utf8")) as Record<
    string,
    Array<[string, string]>
  >;
  const profilesJson = JSON.parse(readFileSync(join(dataDir, "profiles.json"), "utf8")) as Record<
    string,
    { CostMatrix: CostProfile }
  >;
  const profiles = {} as Record<ProfileName, CostProfile>;
  for (const name of PROFILE_NAMES) {
    const cm = profilesJson[name]?.CostMatrix;
    if (cm === undefined) throw new Error(`${dataDir}/profiles.json: missing profile ${name}`);
    profiles[name] = { tpWeight: cm.tpWeight, fpWeight: cm.fpWeight, fnWeight: cm.fnWeight };
  }
  const files: NabFile[] = [];
  for (const name of Object.keys(windowsJson).sort()) {
    const { ts, values } = readSeries(join(dataDir, "data", name));
    // A window covers the rows whose timestamps lie within [start, end] (NAB's labeler).
    const windows = (windowsJson[name] ?? []).map(([a, b]): [number, number] => {
      const left = lowerBound(ts, parseNabTime(a));
      const right = lowerBound(ts, parseNabTime(b) + 1) - 1;
      return [left, right];
    });
    files.push({ name, rows: ts.length, windows, ts, values });
  }
  return { files, profiles };
}
