/**
 * Stored readings: `SELECT count(quality)` (every point the gateway writes has a quality
 * field, also those with a null value) over the run's time range and the load agents'
 * gateway tag, summed over measurements. `drainCount` polls until the count reaches the
 * acknowledged total or stops growing for 3 s, at most `drainS`.
 */
import { querySeries } from "../../../test/support/influxd";
import { LOAD_AGENT_PREFIX } from "./city";

export async function countStored(url: string, db: string, fromMs: number, toMs: number): Promise<number> {
  const q =
    `SELECT count("quality") FROM /.*/ WHERE time >= ${Math.floor(fromMs)}ms AND time <= ${Math.ceil(toMs)}ms ` +
    `AND "gateway" =~ /^${LOAD_AGENT_PREFIX}/`;
  const series = await querySeries(url, db, q);
  return series.reduce((s, x) => s + Number(x.values[0]?.[1] ?? 0), 0);
}

export async function drainCount(
  url: string,
  db: string,
  fromMs: number,
  toMs: number,
  acked: number,
  drainS: number,
): Promise<{ stored: number; drainS: number }> {
  const t0 = Date.now();
  let last = -1;
  let still = 0;
  for (;;) {
    const stored = await countStored(url, db, fromMs, toMs);
    still = stored === last ? still + 1 : 0;
    last = stored;
    const waited = (Date.now() - t0) / 1000;
    if (stored >= acked || still >= 3 || waited >= drainS) return { stored, drainS: waited };
    await new Promise((r) => setTimeout(r, 1000));
  }
}
