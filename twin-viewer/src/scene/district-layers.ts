/**
 * The district's static above-ground layers, each one `Primitive` with many geometry instances:
 * ground (areas and streets, the district's own base map), extruded buildings, bridge decks and
 * piers, and smart poles. Heights are metres above the ellipsoid, which stands for local ground.
 */
import type { GeometryInstance, Primitive, PrimitiveCollection } from "cesium";
import type { Bridge, CityModel, LonLatH } from "@citytwin/model";
import { Cesium } from "../cesium-global";
import { tagDomain } from "../tools/domain-primitives";
import { pathToCartesians, toCartesian } from "./geo";
import { BRIDGE_COLOR, BUILDING_ALPHA, BUILDING_COLORS, GROUND_COLORS, POLE_COLOR } from "./palette";

/** Layer heights above ground, small steps so layers do not z-fight with the globe or each other. */
const AREA_HEIGHT = 0.3;
const STREET_HEIGHT = 0.6;
const POLE_DEFAULT_HEIGHT = 10;
const DECK_THICKNESS = 1.4;

function colorAttr(css: string, alpha = 1) {
  return Cesium.ColorGeometryInstanceAttribute.fromColor(
    Cesium.Color.fromCssColorString(css).withAlpha(alpha),
  );
}

function surfacePrimitive(instances: GeometryInstance[], translucent: boolean, flat: boolean): Primitive {
  return new Cesium.Primitive({
    geometryInstances: instances,
    appearance: new Cesium.PerInstanceColorAppearance({ translucent, closed: !flat, flat }),
    asynchronous: false,
    allowPicking: false,
    releaseGeometryInstances: true,
  });
}

function linePrimitive(instances: GeometryInstance[]): Primitive {
  return new Cesium.Primitive({
    geometryInstances: instances,
    appearance: new Cesium.PolylineColorAppearance({ translucent: false }),
    asynchronous: false,
    allowPicking: false,
    releaseGeometryInstances: true,
  });
}

export function groundPrimitive(city: CityModel): Primitive {
  const vertexFormat = Cesium.PerInstanceColorAppearance.FLAT_VERTEX_FORMAT;
  const instances: GeometryInstance[] = [];
  for (const area of city.areas) {
    instances.push(
      new Cesium.GeometryInstance({
        id: area.id,
        geometry: new Cesium.PolygonGeometry({
          polygonHierarchy: new Cesium.PolygonHierarchy(pathToCartesians(area.ring, AREA_HEIGHT)),
          height: AREA_HEIGHT,
          vertexFormat,
        }),
        attributes: { color: colorAttr(GROUND_COLORS[area.kind]) },
      }),
    );
  }
  for (const street of city.streets) {
    instances.push(
      new Cesium.GeometryInstance({
        id: street.id,
        geometry: new Cesium.CorridorGeometry({
          positions: pathToCartesians(street.path, 0),
          width: street.widthM,
          height: STREET_HEIGHT + (street.class === "arterial" ? 0.1 : 0),
          cornerType: Cesium.CornerType.MITERED,
          vertexFormat,
        }),
        attributes: { color: colorAttr(GROUND_COLORS[street.class]) },
      }),
    );
  }
  return surfacePrimitive(instances, false, true);
}

const buildingPrimitives = new Set<Primitive>();

/** The generated buildings drawn so far (a bring-your-own-city layer may replace them: ./byo-city.ts). */
export function modelBuildings(): Primitive[] {
  return [...buildingPrimitives].filter((p) => !p.isDestroyed());
}

export function buildingsPrimitive(city: CityModel): Primitive {
  const vertexFormat = Cesium.PerInstanceColorAppearance.VERTEX_FORMAT;
  const instances = city.buildings.map(
    (b) =>
      new Cesium.GeometryInstance({
        id: b.id,
        geometry: new Cesium.PolygonGeometry({
          polygonHierarchy: new Cesium.PolygonHierarchy(pathToCartesians(b.footprint, 0)),
          height: 0,
          extrudedHeight: b.heightM,
          vertexFormat,
        }),
        attributes: { color: colorAttr(BUILDING_COLORS[b.use], BUILDING_ALPHA) },
      }),
  );
  const primitive = surfacePrimitive(instances, true, false);
  buildingPrimitives.add(primitive);
  return primitive;
}

function deckHeight(deck: readonly LonLatH[]): number {
  return deck.reduce((sum, p) => sum + p[2], 0) / Math.max(deck.length, 1);
}

/** Evenly spaced points along the deck's centre line, one per pier (spanCount + 1). */
function pierPoints(bridge: Bridge): LonLatH[] {
  const deck = bridge.deck;
  const out: LonLatH[] = [];
  const piers = bridge.spanCount + 1;
  for (let i = 0; i < piers; i++) {
    const f = (i / bridge.spanCount) * (deck.length - 1);
    const a = deck[Math.floor(f)];
    const b = deck[Math.min(Math.ceil(f), deck.length - 1)];
    if (a === undefined || b === undefined) continue;
    const k = f - Math.floor(f);
    out.push([a[0] + (b[0] - a[0]) * k, a[1] + (b[1] - a[1]) * k, a[2] + (b[2] - a[2]) * k]);
  }
  return out;
}

/** Bridge decks (extruded corridors), piers and poles (vertical lines), tagged by domain. */
export function structurePrimitives(city: CityModel): Primitive[] {
  const decks = city.bridges.map((bridge) => {
    const h = deckHeight(bridge.deck);
    return new Cesium.GeometryInstance({
      id: bridge.id,
      geometry: new Cesium.CorridorGeometry({
        positions: pathToCartesians(bridge.deck, 0),
        width: bridge.widthM,
        height: h,
        extrudedHeight: Math.max(h - DECK_THICKNESS, 0.5),
        vertexFormat: Cesium.PerInstanceColorAppearance.VERTEX_FORMAT,
      }),
      attributes: { color: colorAttr(BRIDGE_COLOR) },
    });
  });
  const piers: GeometryInstance[] = [];
  const poles: GeometryInstance[] = [];
  const vertical = (
    lines: GeometryInstance[],
    id: string,
    p: LonLatH | readonly [number, number],
    top: number,
    css: string,
    width: number,
  ) =>
    lines.push(
      new Cesium.GeometryInstance({
        id,
        geometry: new Cesium.PolylineGeometry({
          positions: [toCartesian([p[0], p[1]], 0), toCartesian([p[0], p[1]], top)],
          width,
          arcType: Cesium.ArcType.NONE,
          vertexFormat: Cesium.PolylineColorAppearance.VERTEX_FORMAT,
        }),
        attributes: { color: colorAttr(css) },
      }),
    );
  for (const bridge of city.bridges) {
    for (const [i, p] of pierPoints(bridge).entries())
      vertical(piers, `${bridge.id}#pier${i}`, p, p[2], BRIDGE_COLOR, 5);
  }
  for (const asset of city.assets) {
    if (asset.type !== "SPL") continue;
    vertical(
      poles,
      asset.id,
      asset.position,
      Math.max(asset.position[2], POLE_DEFAULT_HEIGHT),
      POLE_COLOR,
      2,
    );
  }
  const out: Primitive[] = [];
  if (decks.length > 0) out.push(tagDomain(surfacePrimitive(decks, false, false), "bridge"));
  if (piers.length > 0) out.push(tagDomain(linePrimitive(piers), "bridge"));
  if (poles.length > 0) out.push(tagDomain(linePrimitive(poles), "pole"));
  return out;
}

/** Adds every above-ground layer to `primitives`; returns them so readiness can be checked. */
export function addDistrictLayers(primitives: PrimitiveCollection, city: CityModel): Primitive[] {
  const layers: Primitive[] = [];
  if (city.areas.length + city.streets.length > 0) layers.push(groundPrimitive(city));
  if (city.buildings.length > 0) layers.push(buildingsPrimitive(city));
  layers.push(...structurePrimitives(city));
  for (const layer of layers) primitives.add(layer);
  return layers;
}
