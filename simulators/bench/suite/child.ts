/**
 * Runs one bench as a child process (its own process group, so a timeout or Ctrl-C ends it and
 * everything it started), echoing its output indented, keeping a tail for the report, and,
 * when asked, sampling a spawned gateway's RSS from /proc/<pid>/status while it runs (the load
 * generator prints "spawned: gateway pid N" when it starts one: simulators/src/load/spawn.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ChildResult {
  code: number | null;
  seconds: number;
  timedOut: boolean;
  /** The last lines of stdout and stderr together. */
  tail: string;
  /** Everything printed, for parsers that need it (help text). */
  output: string;
  gateway?: { pid: number; rssMiBMax: number; rssMiBLast: number; samples: number };
}

const live = new Set<ChildProcess>();
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, "g");

/** Ends every child still running (SIGTERM to its process group, SIGKILL after 10 s). */
export function killAll(): void {
  for (const c of live) killGroup(c);
}

function killGroup(c: ChildProcess): void {
  if (c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
  try {
    process.kill(-c.pid, "SIGTERM");
  } catch {
    return;
  }
  setTimeout(() => {
    try {
      if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 10_000).unref();
}

function rssMiB(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

export function runChild(
  argv: string[],
  o: { cwd: string; timeoutS: number; echo?: (line: string) => void; watchGateway?: boolean },
): Promise<ChildResult> {
  const t0 = performance.now();
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: o.cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" },
  });
  live.add(child);
  let output = "";
  let gateway: ChildResult["gateway"];
  let sampler: NodeJS.Timeout | undefined;
  const sample = () => {
    if (gateway === undefined) return;
    const mib = rssMiB(gateway.pid);
    if (mib === undefined) return;
    gateway.rssMiBMax = Math.max(gateway.rssMiBMax, mib);
    gateway.rssMiBLast = mib;
    gateway.samples++;
  };
  const onLine = (line: string) => {
    if (output.length < 4_000_000) output += `${line}\n`;
    o.echo?.(line);
    const pid = o.watchGateway ? /spawned: gateway pid (\d+)/.exec(line)?.[1] : undefined;
    if (pid !== undefined && gateway === undefined) {
      gateway = { pid: Number(pid), rssMiBMax: 0, rssMiBLast: 0, samples: 0 };
      sample();
      sampler = setInterval(sample, 500);
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buf = "";
    stream.on("data", (b: Buffer) => {
      buf += b.toString("utf8");
      const lines = buf.split(/\r?\n|\r/);
      buf = lines.pop() ?? "";
      for (const l of lines) if (l.trim() !== "") onLine(l.replace(ANSI, ""));
    });
    stream.on("end", () => buf.trim() !== "" && onLine(buf));
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    o.echo?.(`!!! no result within ${o.timeoutS} s: stopping it`);
    killGroup(child);
  }, o.timeoutS * 1000);
  return new Promise((resolve) => {
    child.on("error", (err) => onLine(`spawn failed: ${err.message}`));
    child.on("close", (code) => {
      clearTimeout(timer);
      if (sampler) clearInterval(sampler);
      live.delete(child);
      resolve({
        code,
        seconds: (performance.now() - t0) / 1000,
        timedOut,
        tail: output.split("\n").slice(-40).join("\n"),
        output,
        ...(gateway ? { gateway } : {}),
      });
    });
  });
}
