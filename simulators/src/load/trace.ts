/**
 * Recorded traces for `--replay`, parsed into readings sorted by time (stable):
 *  - CSV: `timestamp,sensor_id,value[,quality]`, optional header; timestamp ISO-8601 or epoch
 *    (s, ms, µs or ns, told apart by magnitude); empty value = null; true/false = booleans.
 *  - InfluxDB line protocol as `influx_inspect export` writes it (`# DDL`/`# DML`/`# CONTEXT-`
 *    comments, `CREATE DATABASE` lines, ns timestamps): the gateway's schema, sensor id from the
 *    `sensor` tag, the `value` field (float, integer `12i`, boolean, string) and `quality`.
 * Replay shifts times so the first reading is due at the run's start, divided by `--speed`.
 */
import type { Quality, ReadingValue } from "@citytwin/model";

export interface TraceReading {
  /** Recorded time, ms since the epoch. */
  t: number;
  sensor: string;
  value: ReadingValue;
  quality?: Quality;
}

const QUALITIES = new Set(["good", "uncertain", "bad", "stale"]);

/** Epoch number in s, ms, µs or ns → ms. */
function epochMs(x: number): number {
  if (x < 1e11) return x * 1000;
  if (x < 1e14) return x;
  if (x < 1e17) return x / 1e3;
  return x / 1e6;
}

function csvValue(text: string): ReadingValue {
  const v = text.trim();
  if (v === "") return null;
  if (v === "true" || v === "false") return v === "true";
  const n = Number(v);
  return Number.isFinite(n) ? n : v;
}

function parseCsvLine(line: string, no: number, first: boolean): TraceReading | undefined {
  const cells = line.split(",").map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
  const [ts, sensor, value, quality] = cells;
  if (ts === undefined || sensor === undefined || value === undefined)
    throw new SyntaxError(`line ${no}: expected timestamp,sensor_id,value[,quality]`);
  const num = Number(ts);
  const t = ts !== "" && Number.isFinite(num) ? epochMs(num) : Date.parse(ts);
  if (!Number.isFinite(t)) {
    if (first) return undefined; // header
    throw new SyntaxError(`line ${no}: bad timestamp ${ts}`);
  }
  const r: TraceReading = { t, sensor, value: csvValue(value) };
  if (quality !== undefined && quality !== "") {
    if (!QUALITIES.has(quality)) throw new SyntaxError(`line ${no}: bad quality ${quality}`);
    r.quality = quality as Quality;
  }
  return r;
}

/** Splits at unescaped, unquoted `sep`. */
function splitLp(text: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\" && i + 1 < text.length) {
      cur += ch + text[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const unescape = (s: string) => s.replace(/\\(.)/g, "$1");

function lpValue(text: string): ReadingValue {
  if (text.startsWith('"')) return unescape(text.slice(1, -1));
  if (/^(t|true|T|True|TRUE)$/.test(text)) return true;
  if (/^(f|false|F|False|FALSE)$/.test(text)) return false;
  return Number(text.replace(/[iu]$/, ""));
}

function parseLpLine(line: string, no: number): TraceReading | undefined {
  const [head, fields, ts] = splitLp(line, " ");
  if (head === undefined || fields === undefined || ts === undefined)
    throw new SyntaxError(`line ${no}: expected "measurement,tags fields timestamp"`);
  const tags = new Map(
    splitLp(head, ",")
      .slice(1)
      .map((kv) => splitLp(kv, "=").map(unescape) as [string, string]),
  );
  const sensor = tags.get("sensor");
  if (sensor === undefined) throw new SyntaxError(`line ${no}: no sensor tag`);
  const f = new Map(splitLp(fields, ",").map((kv) => splitLp(kv, "=") as [string, string]));
  const value = f.has("value") ? lpValue(f.get("value")!) : null;
  const quality = f.has("quality") ? String(lpValue(f.get("quality")!)) : undefined;
  const r: TraceReading = { t: epochMs(Number(ts)), sensor, value };
  if (quality !== undefined && QUALITIES.has(quality)) r.quality = quality as Quality;
  return r;
}

/** Parses a whole trace (format sniffed from the first data line); sorted by `t`. */
export function parseTrace(text: string): TraceReading[] {
  const out: TraceReading[] = [];
  let lp: boolean | undefined;
  let first = true;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || /^CREATE /i.test(line)) return;
    lp ??= / \S+=/.test(line) && !line.includes(",,");
    const r = lp ? parseLpLine(line, i + 1) : parseCsvLine(line, i + 1, first);
    first = false;
    if (r !== undefined) out.push(r);
  });
  return out.sort((a, b) => a.t - b.t);
}

/** When reading `r` is due, ms after the run's start: (t − first) / speed. */
export const replayOffsetMs = (r: TraceReading, firstT: number, speed: number) => (r.t - firstT) / speed;
