/**
 * Search over the city: asset ids, sensor ids, device ids and asset names (zh and en). One flat
 * array of lower-cased keys built once; a query is one scan that keeps the best few (exact id,
 * then prefix, then substring), so it stays fast at 100k sensors.
 */
import type { CityIndex } from "../core/city-index";

export interface SearchHit {
  /** The id the hit is known by (asset or sensor id). */
  id: string;
  assetId: string;
  sensorId?: string;
  kind: "asset" | "sensor" | "device";
}

interface Entry {
  key: string;
  hit: SearchHit;
}

export const MAX_HITS = 8;

export class SearchIndex {
  private readonly entries: Entry[] = [];

  constructor(index: CityIndex) {
    for (const a of index.assets.values()) {
      const hit: SearchHit = { id: a.id, assetId: a.id, kind: "asset" };
      this.entries.push({ key: a.id.toLowerCase(), hit });
      this.entries.push({ key: a.nameZh.toLowerCase(), hit });
      this.entries.push({ key: a.name.toLowerCase(), hit });
    }
    for (const d of index.devices.values()) {
      const first = index.sensorsByAsset.get(d.assetId)?.find((s) => s.deviceId === d.id);
      this.entries.push({
        key: d.id.toLowerCase(),
        hit: { id: first?.id ?? d.assetId, assetId: d.assetId, sensorId: first?.id, kind: "device" },
      });
    }
    for (const s of index.sensors.values())
      this.entries.push({
        key: s.id.toLowerCase(),
        hit: { id: s.id, assetId: s.assetId, sensorId: s.id, kind: "sensor" },
      });
  }

  /** The best hits for `query` (empty for a blank query); one hit per id. */
  search(query: string, limit = MAX_HITS): SearchHit[] {
    const q = query.trim().toLowerCase();
    if (q === "") return [];
    const ranked: { rank: number; order: number; hit: SearchHit }[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      const at = e.key.indexOf(q);
      if (at < 0) continue;
      const rank = e.key.length === q.length ? 0 : at === 0 ? 1 : 2;
      if (seen.has(e.hit.id)) continue;
      // Keep the list short: a substring hit cannot beat what is already full of better ones.
      if (ranked.length >= limit * 4 && rank === 2) continue;
      seen.add(e.hit.id);
      ranked.push({ rank, order: i, hit: e.hit });
    }
    ranked.sort((a, b) => a.rank - b.rank || a.order - b.order);
    return ranked.slice(0, limit).map((r) => r.hit);
  }
}
