/**
 * CPU and memory of a process from /proc (Linux): utime+stime in clock ticks
 * (USER_HZ = 100 on Linux, proc(5)) and VmRSS. `cpuPercent` is of one core over the window.
 */
import { readFileSync } from "node:fs";

const TICKS_PER_S = 100;

export interface ProcSample {
  at: number;
  cpuTicks: number;
  rssBytes: number;
}

export function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
  return { at: Date.now(), cpuTicks, rssBytes: rssKb * 1024 };
}

export function cpuPercent(a: ProcSample, b: ProcSample): number {
  const seconds = (b.at - a.at) / 1000;
  return seconds > 0 ? ((b.cpuTicks - a.cpuTicks) / TICKS_PER_S / seconds) * 100 : 0;
}
