/**
 * The /live subscriber: every reading tuple `[sensorId, ts, …]` in a `readings` frame whose
 * ts falls in the run gives one sensor → WebSocket latency sample (receive time − ts, ms;
 * the gateway coalesces per sensor per tick, so it is a sample of the sensors, not all).
 * With a secure target, `--token` (a viewer token) goes in `?token=`.
 */
import { WebSocket } from "ws";
import { SecondWindows } from "./histogram";

export interface LiveProbe {
  windows: SecondWindows;
  frames: number;
  errors: number;
  close(): void;
}

export async function openLive(url: string, token: string | undefined, startMs: number): Promise<LiveProbe> {
  const u = new URL(url);
  if (token !== undefined) u.searchParams.set("token", token);
  const ws = new WebSocket(u, { perMessageDeflate: false });
  const probe: LiveProbe = {
    windows: new SecondWindows(startMs),
    frames: 0,
    errors: 0,
    close: () => ws.close(),
  };
  ws.on("message", (data: Buffer) => {
    const now = Date.now();
    const m = JSON.parse(data.toString("utf8")) as { type: string; r?: [string, number][] };
    if (m.type !== "readings" || m.r === undefined) return;
    probe.frames++;
    for (const t of m.r) if (t[1] >= startMs) probe.windows.record(now, now - t[1]);
  });
  ws.on("error", () => probe.errors++);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return probe;
}
