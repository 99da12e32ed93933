/** Machine info for the suite's report: hardware, OS, versions, load average, git commit. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg, release, type as osType } from "node:os";
import { machineInfo, type Machine } from "../../src/load/machine";

export interface SuiteMachine extends Machine {
  os: string;
  gitCommit: string;
  /** 1, 5 and 15 min load averages. */
  loadBefore: number[];
  loadAfter: number[] | null;
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

function osName(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync("/etc/os-release", "utf8"));
    if (pretty?.[1]) return `${pretty[1]} (${osType()} ${release()})`;
  } catch {
    // not Linux
  }
  return `${osType()} ${release()}`;
}

export const loadAvg = () => loadavg().map((x) => Math.round(x * 100) / 100);

export function suiteMachine(repo: string): SuiteMachine {
  const head = git(["rev-parse", "HEAD"], repo) || "unknown";
  const dirty = git(["status", "--porcelain", "--untracked-files=no"], repo) !== "";
  return {
    ...machineInfo(),
    os: osName(),
    gitCommit: `${head}${dirty ? " (with uncommitted changes)" : ""}`,
    loadBefore: loadAvg(),
    loadAfter: null,
  };
}
