/**
 * Line-level parsing of `timestamp,value` CSV (NAB's data format), shared by the CLI.
 */

/** Removes a UTF-8 byte-order mark and a trailing CR (a CRLF file read by line). */
export function cleanLine(line: string, first: boolean): string {
  let s = first && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  if (s.endsWith("\r")) s = s.slice(0, -1);
  return s;
}

export function isReadingsHeader(line: string): boolean {
  const cols = line.split(",").map((c) =>
    c
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .toLowerCase(),
  );
  return cols.length === 2 && cols[0] === "timestamp" && cols[1] === "value";
}

const WALL_CLOCK =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Timestamp text → ms. Calendar forms keep their wall-clock fields as written, encoded as
 * UTC (a zone suffix is ignored: the scorers want the local time of day). Plain numbers
 * are epoch seconds below 1e11, epoch ms otherwise. NaN when unparseable.
 */
export function parseTimestamp(text: string): number {
  const t = text.trim().replace(/^"(.*)"$/, "$1");
  const m = WALL_CLOCK.exec(t);
  if (m !== null) {
    const [, y, mo, d, h, mi, s, frac] = m;
    const month = Number(mo);
    const day = Number(d);
    if (month < 1 || month > 12 || day < 1 || day > 31) return NaN;
    const ms = frac === undefined ? 0 : Math.round(Number(frac) * 1000);
    return Date.UTC(Number(y), month - 1, day, Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms);
  }
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  return NaN;
}

export interface ParsedReading {
  /** The two fields' text as given, echoed to the output. */
  tsText: string;
  valueText: string;
  ts: number;
  value: number;
}

/** Parses one data row; returns a reason string when the row is malformed. */
export function parseReadingLine(line: string): ParsedReading | string {
  const comma = line.indexOf(",");
  if (comma < 0) return `expected "timestamp,value", got ${JSON.stringify(line)}`;
  const tsText = line.slice(0, comma);
  const valueText = line.slice(comma + 1);
  if (valueText.includes(",")) return `expected 2 fields, got ${line.split(",").length}`;
  const ts = parseTimestamp(tsText);
  if (Number.isNaN(ts)) return `bad timestamp ${JSON.stringify(tsText)}`;
  const v = valueText.trim().replace(/^"(.*)"$/, "$1");
  const value = v === "" ? NaN : Number(v);
  if (!Number.isFinite(value)) return `bad value ${JSON.stringify(valueText)}`;
  return { tsText, valueText, ts, value };
}
