/**
 * A 3D Tiles layer (`Cesium3DTileset.fromUrl`). Each feature's `idProperty` (batch table or
 * metadata property) names an asset of the city model. Features are tracked per asset as their
 * tiles load (and dropped when tiles unload), coloured per feature (`feature.color`), and
 * `scene.pick` on one yields a Cesium3DTileFeature whose property names the asset.
 */
import type { Cesium3DTileContent, Cesium3DTileFeature, Cesium3DTileset, Scene } from "cesium";
import type { ByoLayer, Level } from "@citytwin/model";
import { Cesium } from "../../cesium-global";
import { levelCss } from "./asset-levels";
import type { ByoLayerView } from "./layer-view";

type TilesLayer = Extract<ByoLayer, { type: "3dtiles" }>;

const BASE_CSS = "#c2d3e8";

export async function loadTilesLayer(scene: Scene, cfg: TilesLayer): Promise<ByoLayerView> {
  const tileset: Cesium3DTileset = await Cesium.Cesium3DTileset.fromUrl(
    new URL(cfg.url, document.baseURI).href,
  );
  scene.primitives.add(tileset);
  const byAsset = new Map<string, Set<Cesium3DTileFeature>>();
  const levels = new Map<string, Level>();
  const listeners: ((assetIds: readonly string[]) => void)[] = [];
  let features = 0;
  let loadedTiles = 0;

  const assetOf = (f: Cesium3DTileFeature): string | undefined => {
    const v: unknown = f.getProperty(cfg.idProperty);
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const eachFeature = (content: Cesium3DTileContent, fn: (f: Cesium3DTileFeature) => void) => {
    for (let i = 0; i < content.featuresLength; i++) fn(content.getFeature(i));
  };
  tileset.tileLoad.addEventListener((tile: { content: Cesium3DTileContent }) => {
    loadedTiles++;
    const added: string[] = [];
    eachFeature(tile.content, (f) => {
      features++;
      const id = assetOf(f);
      f.color = Cesium.Color.fromCssColorString(levelCss(levels.get(id ?? "") ?? "normal", BASE_CSS));
      if (id === undefined) return;
      const set = byAsset.get(id) ?? new Set<Cesium3DTileFeature>();
      set.add(f);
      byAsset.set(id, set);
      added.push(id);
    });
    if (added.length > 0) for (const l of listeners) l(added);
  });
  tileset.tileUnload.addEventListener((tile: { content: Cesium3DTileContent }) => {
    eachFeature(tile.content, (f) => {
      features--;
      const id = assetOf(f);
      if (id !== undefined) byAsset.get(id)?.delete(f);
    });
  });

  return {
    type: "3dtiles",
    url: cfg.url,
    features: () => features,
    ready: () => loadedTiles > 0 && tileset.tilesLoaded,
    assetIds: () => byAsset.keys(),
    paint(assetId: string, level: Level) {
      levels.set(assetId, level);
      const colour = Cesium.Color.fromCssColorString(levelCss(level, BASE_CSS));
      for (const f of byAsset.get(assetId) ?? []) f.color = colour;
    },
    colourOf(assetId: string) {
      const first = byAsset.get(assetId)?.values().next().value;
      return first?.color.withAlpha(1).toCssHexString();
    },
    assetAt(picked: unknown) {
      if (!(picked instanceof Cesium.Cesium3DTileFeature) || picked.tileset !== tileset) return undefined;
      return assetOf(picked);
    },
    onFeaturesAdded: (l) => listeners.push(l),
  };
}
