/**
 * A real VictoriaMetrics (`/usr/bin/victoria-metrics`) for integration tests of the InfluxDB
 * v2 write path: it accepts line protocol at `/api/v2/write` and names series
 * `<measurement>_<field>` with tags as labels. Listens on 127.0.0.1:<free port> with a temp
 * storage dir; `-search.latencyOffset=0s` makes fresh points queryable at once. The Debian
 * build has no usage reporting to switch off; it only listens on the given loopback address.
 * `startVictoriaMetrics()` resolves once `/health` answers 200.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startChild, type Child } from "./child";
import { freePort } from "./free-port";

export interface VictoriaMetrics {
  url: string;
  dir: string;
  child: Child;
  stop(): Promise<void>;
}

export const VICTORIA_METRICS_BIN = "/usr/bin/victoria-metrics";

export async function startVictoriaMetrics(opts: { timeoutMs?: number } = {}): Promise<VictoriaMetrics> {
  const dir = await mkdtemp(join(tmpdir(), "citytwin-vm-"));
  const port = await freePort();
  const child = startChild("victoria-metrics", VICTORIA_METRICS_BIN, [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${join(dir, "data")}`,
    "-retentionPeriod=100y",
    "-search.latencyOffset=0s",
    "-loggerLevel=ERROR",
    "-memory.allowedPercent=20",
  ]);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    if (child.proc.exitCode !== null) {
      await stop();
      throw new Error(`victoria-metrics exited (${child.proc.exitCode}):\n${child.output().slice(-2000)}`);
    }
    try {
      const res = await fetch(`${url}/health`);
      await res.body?.cancel();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`victoria-metrics did not become healthy:\n${child.output().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, dir, child, stop };
}

export interface VmSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/**
 * Raw samples of every series matching `match` (a series selector, e.g. `{__name__="gas_value"}`)
 * via `/api/v1/export` (JSON lines). Call `flush()` first so just-written points are visible.
 */
export async function exportSeries(url: string, match: string): Promise<VmSeries[]> {
  const u = new URL("/api/v1/export", url);
  u.searchParams.set("match[]", match);
  const res = await fetch(u);
  if (!res.ok) throw new Error(`export failed (${res.status}): ${await res.text()}`);
  const text = await res.text();
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as VmSeries);
}

/** Makes recently ingested points searchable (`/internal/force_flush`). */
export async function flush(url: string): Promise<void> {
  const res = await fetch(`${url}/internal/force_flush`);
  await res.body?.cancel();
}
