/**
 * Level of detail. Zoomed out (camera above CLUSTER_HEIGHT_M, or above CROWDED_HEIGHT_M with more
 * than CROWDED_SENSORS shown) the sensors fold into one point per grid cell (`hierarchy.grid`),
 * coloured by the worst level in it and sized by its count; sensors in alarm keep their own point
 * (SensorLayer.setClustered). Cluster colours follow the sensor layer's applied batches,
 * recomputed at most every REFRESH_MS (one pass over the sensors, no allocation per sensor).
 * A click on a cluster flies down to it, below the points height, so it opens into its sensors.
 */
import type { Cartesian2, Cartesian3, Color, PointPrimitive, PointPrimitiveCollection } from "cesium";
import { LEVEL_LABELS, LEVEL_RANK, LEVELS, type Level } from "@citytwin/model";
import type { AppContext } from "../core/app-context";
import { Cesium } from "../cesium-global";
import { NO_DATA_CSS } from "../sensors/sensor-colors";

export const CLUSTER_HEIGHT_M = 6000;
/** Back to points below this (hysteresis, so a camera at the threshold does not flicker). */
const POINTS_HEIGHT_M = 5000;
const CROWDED_HEIGHT_M = 2500;
const CROWDED_SENSORS = 20_000;
const REFRESH_MS = 500;
const CHECK_MS = 250;
/** Camera range after a click on a cluster (45° down: about 2.5 km high, well under POINTS_HEIGHT_M). */
const ZOOM_IN_RANGE_M = 3500;

interface Cell {
  members: number[];
  point: number;
}

export class LodClusters {
  readonly points: PointPrimitiveCollection;
  lod: "points" | "clusters" = "points";
  private readonly cells: Cell[] = [];
  private readonly colors: Record<Level, Color>;
  private readonly noData = Cesium.Color.fromCssColorString(NO_DATA_CSS);
  private dirty = true;
  private lastRefresh = 0;

  constructor(private readonly ctx: AppContext) {
    this.points = new Cesium.PointPrimitiveCollection({ blendOption: Cesium.BlendOption.OPAQUE });
    this.colors = Object.fromEntries(
      LEVELS.map((l) => [l, Cesium.Color.fromCssColorString(LEVEL_LABELS[l].css)]),
    ) as Record<Level, Color>;
    this.buildCells();
    ctx.scene.primitives.add(this.points);
    ctx.sensors.onApplied(() => (this.dirty = true));
    setInterval(() => this.tick(), CHECK_MS);
    const click = new Cesium.ScreenSpaceEventHandler(ctx.scene.canvas);
    click.setInputAction((ev: { position: Cartesian2 }) => {
      const hit = ctx.scene.pick(ev.position) as
        { collection?: unknown; primitive?: PointPrimitive } | undefined;
      if (hit?.collection === this.points && hit.primitive !== undefined)
        this.zoomInto(hit.primitive.position);
    }, Cesium.ScreenSpaceEventType.LEFT_CLICK);
  }

  /** Flies down to a cluster's centre; the points come back below POINTS_HEIGHT_M. */
  zoomInto(position: Cartesian3): void {
    const camera = this.ctx.scene.camera;
    camera.flyToBoundingSphere(new Cesium.BoundingSphere(position, 200), {
      duration: 1,
      offset: new Cesium.HeadingPitchRange(camera.heading, Cesium.Math.toRadians(-45), ZOOM_IN_RANGE_M),
    });
    this.ctx.scene.requestRender();
  }

  /** Window position (CSS px) of a shown cluster point, for clicking it; undefined when none is on screen. */
  screenPositionOfCluster(): { x: number; y: number } | undefined {
    const rect = this.ctx.scene.canvas.getBoundingClientRect();
    for (let i = 0; i < this.points.length; i++) {
      const p = this.points.get(i);
      if (!p.show) continue;
      const at = this.ctx.scene.cartesianToCanvasCoordinates(p.position);
      if (at !== undefined && at.x > 0 && at.y > 0 && at.x < rect.width && at.y < rect.height)
        return { x: rect.left + at.x, y: rect.top + at.y };
    }
    return undefined;
  }

  /** Cluster points drawn now. */
  shownClusters(): number {
    let n = 0;
    for (let i = 0; i < this.points.length; i++) if (this.points.get(i).show) n++;
    return n;
  }

  /** Filters changed: recount now. */
  invalidate(): void {
    this.dirty = true;
    this.tick();
  }

  private buildCells(): void {
    const { sensors, index } = this.ctx;
    const byGrid = new Map<string, number[]>();
    for (let i = 0; i < sensors.count; i++) {
      const grid = index.assets.get(sensors.sensorAt(i).assetId)?.hierarchy.grid ?? "?";
      const list = byGrid.get(grid) ?? [];
      list.push(i);
      byGrid.set(grid, list);
    }
    for (const [grid, members] of byGrid) {
      let lon = 0;
      let lat = 0;
      for (const i of members) {
        lon += sensors.sensorAt(i).position[0];
        lat += sensors.sensorAt(i).position[1];
      }
      const point = this.points.length;
      this.points.add({
        id: `cluster:${grid}`,
        position: Cesium.Cartesian3.fromDegrees(lon / members.length, lat / members.length, 0),
        show: false,
        color: this.noData,
        pixelSize: 10,
        outlineColor: Cesium.Color.fromCssColorString("#e2e8f0"),
        outlineWidth: 1.5,
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      });
      this.cells.push({ members, point });
    }
  }

  private tick(): void {
    const height = this.ctx.scene.camera.positionCartographic.height;
    const crowded = this.ctx.sensors.count > CROWDED_SENSORS && height > CROWDED_HEIGHT_M;
    const want =
      height > CLUSTER_HEIGHT_M || crowded ? "clusters" : height < POINTS_HEIGHT_M ? "points" : this.lod;
    if (want !== this.lod) {
      this.lod = want;
      this.dirty = true;
      this.ctx.sensors.setClustered(want === "clusters");
    }
    const now = performance.now();
    if (!this.dirty || now - this.lastRefresh < REFRESH_MS) return;
    this.dirty = false;
    this.lastRefresh = now;
    this.refresh();
  }

  private refresh(): void {
    const clustered = this.lod === "clusters";
    for (const cell of this.cells) {
      const p = this.points.get(cell.point);
      let count = 0;
      let worst: Level | undefined;
      if (clustered) {
        for (const i of cell.members) {
          if (this.ctx.sensors.filteredAt(i)) continue;
          count++;
          const level = this.ctx.sensors.stateAt(i)?.level;
          if (level !== undefined && (worst === undefined || LEVEL_RANK[level] > LEVEL_RANK[worst]))
            worst = level;
        }
      }
      p.show = count > 0;
      if (count === 0) continue;
      p.color = worst === undefined ? this.noData : this.colors[worst];
      p.pixelSize = Math.min(34, 10 + 4 * Math.log2(count));
    }
    this.ctx.scene.requestRender();
  }
}
