/**
 * Supervises the platform's child processes for the demo launcher: spawns a TypeScript entry
 * point with tsx, forwards its pino JSON lines to a callback, resolves when it logs
 * `"msg":"ready"`, and stops children in reverse start order (SIGTERM, SIGKILL after a grace).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { CityTwinError } from "@citytwin/model";

export interface ManagedProcess {
  name: string;
  proc: ChildProcess;
  /** The parsed JSON of the child's "ready" log line. */
  ready: Record<string, unknown>;
  /** `signal` first (default SIGTERM), SIGKILL after `graceMs`. Never reported as unexpected. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnSpec {
  name: string;
  entry: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  readyTimeoutMs?: number;
  onLine?: (name: string, line: string) => void;
  /** Called when the child exits without having been asked to stop. */
  onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
}

export async function spawnTsx(spec: SpawnSpec): Promise<ManagedProcess> {
  const proc = spawn(process.execPath, ["--import", "tsx", spec.entry, ...spec.args], {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stopping = false;
  const tail: string[] = [];
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new CityTwinError("START_TIMEOUT", `${spec.name} did not become ready:\n${tail.join("\n")}`));
    }, spec.readyTimeoutMs ?? 60_000);
    const onLine = (line: string) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      spec.onLine?.(spec.name, line);
      if (line.includes('"msg":"ready"')) {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as Record<string, unknown>);
        } catch {
          resolve({});
        }
      }
    };
    if (proc.stdout) createInterface({ input: proc.stdout }).on("line", onLine);
    if (proc.stderr) createInterface({ input: proc.stderr }).on("line", onLine);
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new CityTwinError(
          "START_FAILED",
          `${spec.name} exited (${code ?? signal}) before ready:\n${tail.join("\n")}`,
        ),
      );
      if (!stopping) spec.onUnexpectedExit?.(spec.name, code, signal);
    });
  });
  const readyLine = await ready;
  return {
    name: spec.name,
    proc,
    ready: readyLine,
    async stop(graceMs = 8000, signal: NodeJS.Signals = "SIGTERM") {
      stopping = true;
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, "exit");
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
