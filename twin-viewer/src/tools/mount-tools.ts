/**
 * `mountLayersAndSearch(ctx)`: the #tools bar (search with suggestions, layer toggles) and the
 * level-of-detail clusters, plus the `layers` probe: `hidden()`, `visibleSensors()`,
 * `clusters()`, `lod()`, `search(q)` (hit ids, best first).
 */
import type { Domain } from "@citytwin/model";
import type { AppContext } from "../core/app-context";
import { Cesium } from "../cesium-global";
import { registerProbe } from "../test-hooks";
import { byId } from "../ui/dom";
import { domainPrimitives } from "./domain-primitives";
import { LayerFilter } from "./layer-filter";
import { LayerPanel } from "./layer-panel";
import { LodClusters } from "./lod-clusters";
import { SearchBox } from "./search-box";
import { SearchIndex } from "./search-index";
import "./tools.css";

export function mountLayersAndSearch(ctx: AppContext): void {
  const filter = new LayerFilter(ctx);
  const clusters = new LodClusters(ctx);
  filter.onApplied(() => clusters.invalidate());
  const index = new SearchIndex(ctx.index);
  const search = new SearchBox(ctx, index);
  const panel = new LayerPanel(filter, ctx.city, ctx.index);
  byId("tools").replaceChildren(search.el, panel.el);
  ctx.bus.on("lang", () => {
    search.render();
    panel.render();
  });
  registerProbe("layers", {
    hidden: () => filter.hidden(),
    visibleSensors: () => ctx.sensors.visibleCount(),
    clusters: () => clusters.shownClusters(),
    lod: () => clusters.lod,
    /** Where a shown cluster is on screen (to click it). */
    clusterOnScreen: () => clusters.screenPositionOfCluster(),
    search: (q: string) => index.search(q).map((hit) => hit.id),
    /** Sensor drawn with the stale (dimmed) look. */
    stale: (id: string) => ctx.sensors.isStale(id),
    /** Source ts of the sensor's drawn reading. */
    ts: (id: string) => ctx.sensors.state(id)?.ts,
    /** The sensor's point is drawn (`PointPrimitive.show`). */
    shown: (id: string) => ctx.sensors.point(id)?.show,
    /** Some static primitive of the domain (network, bridges, poles) is drawn. */
    domainShown: (domain: Domain) => domainPrimitives(domain).some((p) => p.show),
    /** The camera: [lon°, lat°, height m]. */
    camera: () => {
      const c = ctx.scene.camera.positionCartographic;
      return [Cesium.Math.toDegrees(c.longitude), Cesium.Math.toDegrees(c.latitude), c.height];
    },
  });
}
