/**
 * Reads the agent's systemd unit (citytwin-edge.service) the way systemd does, so the tests and
 * the footprint benchmark run the agent with exactly the unit's environment and node flags
 * (systemd.syntax(7), systemd.exec(5) "Environment=", systemd.service(5) "Command lines").
 * Only what our unit uses: no continuation lines, no ExecStart= prefixes. Errors throw.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const UNIT_FILE = join(import.meta.dirname, "citytwin-edge.service");

export interface UnitLine {
  section: string;
  key: string;
  value: string;
}

function fail(message: string): never {
  throw new Error(`${UNIT_FILE}: ${message}`);
}

/** `[Section]` / `Key=Value` lines of a unit file. */
export function parseUnit(text: string): UnitLine[] {
  const out: UnitLine[] = [];
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      section = sec[1] ?? "";
      continue;
    }
    if (line.endsWith("\\")) fail(`continuation lines are not handled: ${line}`);
    const eq = line.indexOf("=");
    out.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
  }
  return out;
}

/** systemd's word splitting: whitespace separates, "…" and '…' quote (with \ escapes inside "…"). */
export function splitWords(s: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (s[i] === " " || s[i] === "\t") i++;
    if (i >= s.length) break;
    let word = "";
    while (i < s.length && s[i] !== " " && s[i] !== "\t") {
      const c = s[i] ?? "";
      if (c === '"' || c === "'") {
        const end = s.indexOf(c, i + 1);
        if (end <= i) fail(`unterminated quote in ${s}`);
        const inner = s.slice(i + 1, end);
        word += c === '"' ? inner.replace(/\\(.)/g, "$1") : inner;
        i = end + 1;
      } else {
        word += c;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

/** Environment=: space-separated (quotable) VAR=value assignments; later ones win. */
export function unitEnvironment(lines: UnitLine[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const l of lines.filter((x) => x.section === "Service" && x.key === "Environment")) {
    for (const a of splitWords(l.value)) {
      const eq = a.indexOf("=");
      if (eq <= 0) fail(`Environment= assignment without '=': ${a}`);
      env[a.slice(0, eq)] = a.slice(eq + 1);
    }
  }
  return env;
}

/**
 * ExecStart= as systemd expands it: "${VAR}" inside a word is replaced by the value as is; a
 * word that is exactly "$VAR" becomes the value split at whitespace; "$$" is a literal "$".
 * systemd expands an unset variable to ""; here that is an error: the unit must define what
 * it uses.
 */
export function expandExecStart(value: string, env: Record<string, string>): string[] {
  if (!value.startsWith("/")) fail("no ExecStart= prefixes (-, @, :, +, !) expected");
  const get = (name: string): string =>
    env[name] ?? fail(`ExecStart= uses \${${name}}, which Environment= does not set`);
  return splitWords(value).flatMap((w) => {
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(w);
    if (whole) return splitWords(get(whole[1] ?? ""));
    return [
      w.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\$/g, (_m, n?: string) => (n === undefined ? "$" : get(n))),
    ];
  });
}

/**
 * The agent's node flags and environment as the unit starts it, with `overrides` applied to
 * Environment= first (as /etc/citytwin/edge.env would: EnvironmentFile= wins over Environment=).
 */
export function unitLaunch(
  overrides: Record<string, string> = {},
  text = readFileSync(UNIT_FILE, "utf8"),
): { nodeFlags: string[]; env: Record<string, string> } {
  const lines = parseUnit(text);
  const env = { ...unitEnvironment(lines), ...overrides };
  const exec = lines.filter((l) => l.section === "Service" && l.key === "ExecStart");
  if (exec.length !== 1) fail("exactly one ExecStart= expected");
  const argv = expandExecStart(exec[0]?.value ?? "", env);
  const script = argv.findIndex((a) => a.endsWith(".mjs"));
  if (script < 1) fail("ExecStart= does not run a .mjs script");
  return { nodeFlags: argv.slice(1, script), env };
}
