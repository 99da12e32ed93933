/**
 * Memory of a browser and all its child processes (renderer, GPU, utility): the sum of PSS
 * (proportional set size, so shared pages are not counted twice) from /proc/<pid>/smaps_rollup.
 */
import { readdirSync, readFileSync } from "node:fs";

function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = byParent.get(ppid) ?? [];
      list.push(pid);
      byParent.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  return byParent;
}

function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

/** PSS of `rootPid` and every descendant, in MiB; also how many processes that was. */
export function processTreePssMiB(rootPid: number): { mib: number; processes: number } {
  const tree = children();
  let kib = 0;
  let processes = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    kib += pssKiB(pid);
    processes++;
    stack.push(...(tree.get(pid) ?? []));
  }
  return { mib: Math.round(kib / 102.4) / 10, processes };
}
