/**
 * Worst current level per asset, from what the sensor layer draws (live or replay), and the
 * colour a bring-your-own-city feature takes for it: the level's colour, or the layer's own
 * colour while the asset is normal or has no data.
 */
import { LEVEL_LABELS, LEVEL_RANK, type Level } from "@citytwin/model";
import type { AppContext } from "../../core/app-context";

export function worstLevel(ctx: AppContext, assetId: string): Level {
  let worst: Level = "normal";
  for (const s of ctx.index.sensorsByAsset.get(assetId) ?? []) {
    const level = ctx.sensors.state(s.id)?.level;
    if (level !== undefined && LEVEL_RANK[level] > LEVEL_RANK[worst]) worst = level;
  }
  return worst;
}

/** CSS colour for a feature of an asset at `level`; `base` while normal. */
export function levelCss(level: Level, base: string): string {
  return level === "normal" ? base : LEVEL_LABELS[level].css;
}
