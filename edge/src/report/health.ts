/**
 * The agent-side part of the periodic health on the status topic: per-device poll health,
 * process memory, uptime and report-by-exception totals. The publisher adds queue depth.
 */
import type { AgentHealth, DevicePollHealth } from "@citytwin/model";
import type { PollStats } from "../drivers/poll-runner";
import type { RbeStats } from "./rbe-filter";

export type AgentHealthPart = Omit<AgentHealth, "queueDepth" | "bufferedReadings">;

export function buildAgentHealth(
  polling: Record<string, PollStats>,
  rbe: { stats: RbeStats; suppressedBy: Record<string, number> } | undefined,
  uptimeS: number,
  memory: NodeJS.MemoryUsage = process.memoryUsage(),
): AgentHealthPart {
  const devices: Record<string, DevicePollHealth> = {};
  for (const [id, s] of Object.entries(polling)) {
    const d: DevicePollHealth = {
      polls: s.polls,
      failures: s.failures,
      successRatio: s.polls === 0 ? 1 : (s.polls - s.failures) / s.polls,
    };
    if (s.latencyMsP50 !== undefined) d.latencyMsP50 = s.latencyMsP50;
    if (s.latencyMsP95 !== undefined) d.latencyMsP95 = s.latencyMsP95;
    if (s.lastOkAt !== undefined) d.lastOkAt = s.lastOkAt;
    const suppressed = rbe?.suppressedBy[id];
    if (suppressed !== undefined) d.suppressed = suppressed;
    devices[id] = d;
  }
  const out: AgentHealthPart = {
    devices,
    memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, heapTotalBytes: memory.heapTotal },
    uptimeS: Math.round(uptimeS),
  };
  if (rbe !== undefined)
    out.rbe = { in: rbe.stats.in, passed: rbe.stats.passed, suppressed: rbe.stats.suppressed };
  return out;
}
