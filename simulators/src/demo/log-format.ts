/**
 * Turns the children's pino JSON lines into a readable console for `npm start`: warnings,
 * errors and lifecycle events by default, everything with --verbose.
 */
const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};
const OMIT = new Set(["level", "time", "pid", "hostname", "msg", "name"]);

export function formatChildLine(name: string, line: string, verbose: boolean): string | undefined {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return verbose || /error|warn/i.test(line) ? `[${name}] ${line}` : undefined;
  }
  const level = typeof rec.level === "number" ? rec.level : 30;
  const msg = String(rec.msg ?? "");
  if (!verbose && level < 40 && msg !== "ready") return undefined;
  const extra = Object.entries(rec)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" ");
  return `[${name}] ${LEVEL_NAMES[level] ?? level} ${msg}${extra ? ` ${extra}` : ""}`;
}
