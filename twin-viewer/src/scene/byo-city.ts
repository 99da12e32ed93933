/**
 * Bring your own city (docs/viewer.md): the deployment's base map and its own 3D Tiles / GeoJSON
 * layers from `GET /api/viewer-config`. Features bind to the city model through asset ids: a
 * click on one focuses its asset, and each is coloured by its asset's worst current level
 * (what the sensor layer draws, live or replay), recoloured at most every 250 ms.
 * `drawModelBuildings: false` hides the generated buildings. Probe: `features.byo`.
 */
import { viewerConfigSchema, type ByoLayer, type ViewerConfig } from "@citytwin/model";
import { Cesium } from "../cesium-global";
import type { AppContext } from "../core/app-context";
import { apiGet, ApiError } from "../core/api";
import { registerProbe } from "../test-hooks";
import { worstLevel } from "./byo/asset-levels";
import { addBasemap } from "./byo/basemap";
import { loadGeoJsonLayer } from "./byo/geojson-layer";
import type { ByoLayerView } from "./byo/layer-view";
import { loadTilesLayer } from "./byo/tiles-layer";
import { modelBuildings } from "./district-layers";

const RECOLOUR_MS = 250;

export interface ByoProbe {
  basemap: string | undefined;
  layers: { type: ByoLayer["type"]; url: string; features: number; ready: boolean; error?: string }[];
  colourOf(assetId: string): string | undefined;
  /** Whether the generated buildings are drawn (`drawModelBuildings`). */
  readonly modelBuildings: boolean;
  /** Window position (CSS px) of a geographic point, for clicking a feature; undefined off screen. */
  project(lon: number, lat: number, heightM: number): { x: number; y: number } | undefined;
}

export async function mountByoCity(ctx: AppContext): Promise<void> {
  const views: ByoLayerView[] = [];
  const failed: { type: ByoLayer["type"]; url: string; error: string }[] = [];
  let config: ViewerConfig = { drawModelBuildings: true, layers: [] };
  const probe: ByoProbe = {
    get basemap() {
      return config.basemap?.url;
    },
    get layers() {
      return [
        ...views.map((v) => ({ type: v.type, url: v.url, features: v.features(), ready: v.ready() })),
        ...failed.map((f) => ({ ...f, features: 0, ready: false })),
      ];
    },
    colourOf: (assetId) => views.map((v) => v.colourOf(assetId)).find((c) => c !== undefined),
    get modelBuildings() {
      return modelBuildings().some((p) => p.show);
    },
    project(lon, lat, heightM) {
      const at = Cesium.Cartesian3.fromDegrees(lon, lat, heightM);
      const pos = ctx.scene.cartesianToCanvasCoordinates(at);
      if (pos === undefined) return undefined;
      const rect = ctx.scene.canvas.getBoundingClientRect();
      return { x: rect.left + pos.x, y: rect.top + pos.y };
    },
  };
  registerProbe("byo", probe);
  try {
    config = await apiGet("api/viewer-config", viewerConfigSchema);
  } catch (err) {
    // An older gateway has no viewer config (404): the generated city stays as it is.
    if (!(err instanceof ApiError && err.status === 404))
      console.warn("viewer config could not be loaded:", (err as Error).message);
    return;
  }
  if (config.basemap !== undefined) addBasemap(ctx.viewer, config.basemap);
  if (!config.drawModelBuildings) for (const p of modelBuildings()) p.show = false;

  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const recolour = () => {
    timer = undefined;
    for (const assetId of pending) {
      const level = worstLevel(ctx, assetId);
      for (const v of views) v.paint(assetId, level);
    }
    pending.clear();
    ctx.scene.requestRender();
  };
  /** Assets some layer's features name: only their sensors' changes cost a recolour. */
  const bound = new Set<string>();
  const markDirty = (assetIds: Iterable<string>) => {
    for (const id of assetIds) if (bound.has(id)) pending.add(id);
    if (pending.size > 0) timer ??= setTimeout(recolour, RECOLOUR_MS);
  };
  const bind = (assetIds: Iterable<string>) => {
    for (const id of assetIds) bound.add(id);
    markDirty(assetIds);
  };
  ctx.sensors.onApplied((changed) => {
    if (bound.size === 0) return;
    const assets: string[] = [];
    for (const sensorId of changed) {
      const assetId = ctx.index.sensors.get(sensorId)?.assetId;
      if (assetId !== undefined) assets.push(assetId);
    }
    markDirty(assets);
  });

  await Promise.all(
    config.layers.map(async (layer) => {
      try {
        const view =
          layer.type === "3dtiles"
            ? await loadTilesLayer(ctx.scene, layer)
            : await loadGeoJsonLayer(ctx.scene, ctx.index, layer);
        views.push(view);
        view.onFeaturesAdded(bind);
        bind([...view.assetIds()]);
      } catch (err) {
        failed.push({ type: layer.type, url: layer.url, error: (err as Error).message });
        console.warn(`bring-your-own-city layer ${layer.url} failed:`, err);
      }
    }),
  );
  ctx.scene.requestRender();

  // app.ts's handler (registered first) clears the focus on a click beside a sensor point;
  // this one runs after it and focuses the feature's asset.
  const click = new Cesium.ScreenSpaceEventHandler(ctx.scene.canvas);
  click.setInputAction((ev: { position: { x: number; y: number } }) => {
    const picked: unknown = ctx.scene.pick(new Cesium.Cartesian2(ev.position.x, ev.position.y));
    for (const v of views) {
      const assetId = v.assetAt(picked);
      if (assetId !== undefined) return void ctx.focus({ assetId }, { fly: false });
    }
  }, Cesium.ScreenSpaceEventType.LEFT_CLICK);
}
