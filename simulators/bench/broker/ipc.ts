/** Forked bench children and request/reply over IPC; CPU time of a process from /proc. */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

export interface Forked {
  proc: ChildProcess;
  output(): string;
  /** Sends `msg` (if any) and resolves with the next message of `type`; rejects on `error` or exit. */
  call<T>(type: string, msg?: unknown, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export function forkTsx(script: string, args: string[] = [], env: Record<string, string> = {}): Forked {
  const proc = fork(script, args, {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: { ...process.env, ...env },
  });
  let out = "";
  const keep = (b: Buffer) => (out = (out + b.toString("utf8")).slice(-20_000));
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  const output = () => out;
  return {
    proc,
    output,
    call<T>(type: string, msg?: unknown, timeoutMs = 120_000) {
      return new Promise<T>((resolve, reject) => {
        const done = (err?: Error, value?: T) => {
          clearTimeout(timer);
          proc.off("message", onMessage);
          proc.off("exit", onExit);
          if (err) reject(err);
          else resolve(value as T);
        };
        const onMessage = (m: { type?: string; message?: string }) => {
          if (m.type === type) done(undefined, m as T);
          else if (m.type === "error") done(new Error(`${script}: ${m.message}`));
        };
        const onExit = (code: number | null) =>
          done(new Error(`${script} exited (${code}):\n${output().slice(-3000)}`));
        const timer = setTimeout(
          () => done(new Error(`${script}: no ${type} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        proc.on("message", onMessage);
        proc.once("exit", onExit);
        if (msg !== undefined) proc.send(msg as object);
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** utime + stime of `pid` in seconds (USER_HZ = 100, proc(5)). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}
