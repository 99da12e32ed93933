/**
 * A GeoJSON layer drawn as one Primitive (or point collection) per layer (viewer config
 * `role`): buildings are polygons extruded to `heightProperty` metres, networks are polylines at
 * `depthProperty` metres (negative: below ground) coloured by network, assets are points. The
 * geometry-instance id is the feature's asset id (`idProperty`), so `scene.pick` names the asset;
 * a second feature of the same asset gets `<assetId>#<n>` and is mapped back to it.
 */
import type { Cartesian3, GeometryInstance, PointPrimitive, Primitive, Scene } from "cesium";
import { ASSET_TYPES, type ByoLayer, type Level } from "@citytwin/model";
import { Cesium } from "../../cesium-global";
import type { CityIndex } from "../../core/city-index";
import { BUILDING_ALPHA, NETWORK_COLORS } from "../palette";
import { levelCss } from "./asset-levels";
import type { ByoLayerView } from "./layer-view";

type GeoJsonLayer = Extract<ByoLayer, { type: "geojson" }>;
type Position = number[];
interface Feature {
  geometry?: { type: string; coordinates?: unknown } | null;
  properties?: Record<string, unknown> | null;
}

const BUILDING_CSS = "#b3bfcf";
const ASSET_CSS = "#38bdf8";
const DEFAULT_HEIGHT_M = 10;
const LINE_WIDTH = 4;

/** Polygons, lines or points of a geometry, as lists of [lon, lat(, h)] rings/paths/points. */
function parts(geometry: Feature["geometry"], kind: "Polygon" | "LineString" | "Point"): Position[][] {
  const c = geometry?.coordinates;
  if (geometry === undefined || geometry === null || !Array.isArray(c)) return [];
  if (geometry.type === kind)
    return kind === "Polygon"
      ? [(c as Position[][])[0] ?? []]
      : [kind === "Point" ? [c as Position] : (c as Position[])];
  if (geometry.type !== `Multi${kind}`) return [];
  if (kind === "Polygon") return (c as Position[][][]).map((poly) => poly[0] ?? []);
  return kind === "Point" ? (c as Position[]).map((p) => [p]) : (c as Position[][]);
}

function cartesians(path: Position[], height: number): Cartesian3[] {
  return path.map((p) => Cesium.Cartesian3.fromDegrees(p[0] ?? 0, p[1] ?? 0, height));
}

function numberProp(props: Feature["properties"], key: string, fallback: number): number {
  const v = props?.[key];
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

export async function loadGeoJsonLayer(
  scene: Scene,
  index: CityIndex,
  cfg: GeoJsonLayer,
): Promise<ByoLayerView> {
  const res = await fetch(new URL(cfg.url, document.baseURI));
  if (!res.ok) throw new Error(`GET ${cfg.url}: HTTP ${res.status}`);
  const doc = (await res.json()) as { features?: Feature[] };
  const instancesOf = new Map<string, string[]>(); // assetId → instance ids
  const assetOf = new Map<string, string>(); // instance id → assetId
  const baseOf = new Map<string, string>(); // instance id → base colour
  const instances: GeometryInstance[] = [];
  const points: { id: string | undefined; at: Cartesian3; css: string }[] = [];
  let features = 0;

  const idFor = (assetId: string | undefined, css: string): string | undefined => {
    if (assetId === undefined) return undefined;
    const list = instancesOf.get(assetId) ?? [];
    const id = list.length === 0 ? assetId : `${assetId}#${list.length + 1}`;
    list.push(id);
    instancesOf.set(assetId, list);
    assetOf.set(id, assetId);
    baseOf.set(id, css);
    return id;
  };
  const colour = (css: string, alpha = 1) =>
    Cesium.ColorGeometryInstanceAttribute.fromColor(Cesium.Color.fromCssColorString(css).withAlpha(alpha));

  for (const f of doc.features ?? []) {
    const raw = f.properties?.[cfg.idProperty];
    const assetId = typeof raw === "string" && raw !== "" ? raw : undefined;
    if (cfg.role === "buildings") {
      const height = numberProp(f.properties, cfg.heightProperty, DEFAULT_HEIGHT_M);
      for (const ring of parts(f.geometry, "Polygon")) {
        if (ring.length < 3) continue;
        features++;
        instances.push(
          new Cesium.GeometryInstance({
            id: idFor(assetId, BUILDING_CSS),
            geometry: new Cesium.PolygonGeometry({
              polygonHierarchy: new Cesium.PolygonHierarchy(cartesians(ring, 0)),
              height: 0,
              extrudedHeight: height,
              vertexFormat: Cesium.PerInstanceColorAppearance.VERTEX_FORMAT,
            }),
            attributes: { color: colour(BUILDING_CSS, BUILDING_ALPHA) },
          }),
        );
      }
    } else if (cfg.role === "network") {
      const depth = numberProp(f.properties, cfg.depthProperty, 0);
      const css = networkCss(f.properties?.network, assetId, index);
      for (const path of parts(f.geometry, "LineString")) {
        if (path.length < 2) continue;
        features++;
        instances.push(
          new Cesium.GeometryInstance({
            id: idFor(assetId, css),
            geometry: new Cesium.PolylineGeometry({
              positions: cartesians(path, depth),
              width: LINE_WIDTH,
              arcType: Cesium.ArcType.NONE,
              vertexFormat: Cesium.PolylineColorAppearance.VERTEX_FORMAT,
            }),
            attributes: { color: colour(css) },
          }),
        );
      }
    } else {
      for (const [p] of parts(f.geometry, "Point")) {
        if (p === undefined) continue;
        features++;
        points.push({
          id: idFor(assetId, ASSET_CSS),
          at: Cesium.Cartesian3.fromDegrees(p[0] ?? 0, p[1] ?? 0, p[2] ?? 0),
          css: ASSET_CSS,
        });
      }
    }
  }

  if (cfg.role === "assets") return pointLayer(scene, cfg, features, points, assetOf, instancesOf, baseOf);
  const appearance =
    cfg.role === "buildings"
      ? new Cesium.PerInstanceColorAppearance({ translucent: true, closed: true })
      : new Cesium.PolylineColorAppearance({ translucent: false });
  const primitive: Primitive = scene.primitives.add(
    new Cesium.Primitive({
      geometryInstances: instances,
      appearance,
      asynchronous: false,
      releaseGeometryInstances: true,
    }),
  ) as Primitive;
  const alpha = cfg.role === "buildings" ? BUILDING_ALPHA : 1;
  return {
    type: "geojson",
    url: cfg.url,
    features: () => features,
    ready: () => primitive.ready,
    assetIds: () => instancesOf.keys(),
    paint(assetId: string, level: Level) {
      for (const id of instancesOf.get(assetId) ?? []) {
        const attrs = primitive.getGeometryInstanceAttributes(id) as { color?: Uint8Array } | undefined;
        if (attrs === undefined) continue;
        const c = Cesium.Color.fromCssColorString(levelCss(level, baseOf.get(id) ?? BUILDING_CSS));
        attrs.color = Cesium.ColorGeometryInstanceAttribute.toValue(c.withAlpha(alpha), attrs.color);
      }
    },
    colourOf(assetId: string) {
      const attrs = primitive.getGeometryInstanceAttributes(assetId) as { color?: Uint8Array } | undefined;
      const c = attrs?.color;
      return c === undefined ? undefined : Cesium.Color.fromBytes(c[0], c[1], c[2], 255).toCssHexString();
    },
    assetAt(picked: unknown) {
      const hit = picked as { primitive?: unknown; id?: unknown } | undefined;
      const id = hit !== undefined && hit.primitive === primitive ? hit.id : undefined;
      return typeof id === "string" ? assetOf.get(id) : undefined;
    },
    onFeaturesAdded: () => undefined,
  };
}

function networkCss(network: unknown, assetId: string | undefined, index: CityIndex): string {
  if (typeof network === "string" && network in NETWORK_COLORS)
    return NETWORK_COLORS[network as keyof typeof NETWORK_COLORS];
  const type = assetId === undefined ? undefined : index.assets.get(assetId)?.type;
  const domain = type === undefined ? undefined : ASSET_TYPES[type].domain;
  return domain !== undefined && domain in NETWORK_COLORS
    ? NETWORK_COLORS[domain as keyof typeof NETWORK_COLORS]
    : ASSET_CSS;
}

/** Assets role: one PointPrimitiveCollection, point id = instance id. */
function pointLayer(
  scene: Scene,
  cfg: GeoJsonLayer,
  features: number,
  points: { id: string | undefined; at: Cartesian3; css: string }[],
  assetOf: Map<string, string>,
  instancesOf: Map<string, string[]>,
  baseOf: Map<string, string>,
): ByoLayerView {
  const collection = scene.primitives.add(new Cesium.PointPrimitiveCollection());
  const byId = new Map<string, PointPrimitive>();
  for (const p of points) {
    const point = collection.add({
      id: p.id,
      position: p.at,
      color: Cesium.Color.fromCssColorString(p.css),
      pixelSize: 9,
    });
    if (p.id !== undefined) byId.set(p.id, point);
  }
  return {
    type: "geojson",
    url: cfg.url,
    features: () => features,
    ready: () => true,
    assetIds: () => instancesOf.keys(),
    paint(assetId: string, level: Level) {
      for (const id of instancesOf.get(assetId) ?? []) {
        const point = byId.get(id);
        if (point !== undefined)
          point.color = Cesium.Color.fromCssColorString(levelCss(level, baseOf.get(id) ?? ASSET_CSS));
      }
    },
    colourOf: (assetId: string) => byId.get(assetId)?.color.toCssHexString(),
    assetAt(picked: unknown) {
      const hit = picked as { collection?: unknown; id?: unknown } | undefined;
      const id = hit !== undefined && hit.collection === collection ? hit.id : undefined;
      return typeof id === "string" ? assetOf.get(id) : undefined;
    },
    onFeaturesAdded: () => undefined,
  };
}
