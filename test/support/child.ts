/**
 * Child processes for cross-process tests: spawn, capture output, wait for a line,
 * stop (SIGTERM, then SIGKILL after a grace period). Every started child is tracked so
 * `stopAll()` in afterAll cleans up even when a test fails midway.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { once } from "node:events";

export interface Child {
  name: string;
  proc: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const running = new Set<Child>();

export function startChild(name: string, command: string, args: string[], options: SpawnOptions = {}): Child {
  const proc = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  let out = "";
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let pending = "";
  const onData = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    out += text;
    if (out.length > 4_000_000) out = out.slice(-2_000_000);
    pending += text;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if (w !== undefined && w.pattern.test(line)) {
          waiters.splice(i, 1);
          w.resolve(line);
        }
      }
    }
  };
  proc.stdout?.on("data", onData);
  proc.stderr?.on("data", onData);

  const child: Child = {
    name,
    proc,
    output: () => out,
    waitFor(pattern, timeoutMs = 30_000) {
      const seen = out.split("\n").find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `${name}: no line matching ${pattern} within ${timeoutMs} ms. Output tail:\n${out.slice(-3000)}`,
            ),
          );
        }, timeoutMs);
        const onExit = (code: number | null) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited (${code}) before ${pattern}. Output tail:\n${out.slice(-3000)}`));
        };
        proc.once("exit", onExit);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            proc.off("exit", onExit);
            resolve(line);
          },
        });
      });
    },
    async stop(signal = "SIGTERM", graceMs = 5000) {
      running.delete(child);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, "exit");
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(child);
  return child;
}

/** Runs a TypeScript entry point with tsx in a child process. */
export function startTsx(name: string, entry: string, args: string[], options: SpawnOptions = {}): Child {
  return startChild(name, process.execPath, ["--import", "tsx", entry, ...args], options);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop()));
}
