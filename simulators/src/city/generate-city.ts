/**
 * The seeded city model generator: a ~1.5 km × 1.2 km slice of Hefei's Binhu new area
 * (包河区, adcode 340111) with streets, a river crossed by bridges, buildings, parks,
 * underground gas/water/drainage networks and their sensors. Deterministic for a seed.
 */
import { CityTwinError, type CityModel, type LonLat, type LonLatH } from "@citytwin/model";
import { projection } from "../geo";
import { createRng } from "../random";
import { planInventory, GATEWAY_EAST, GATEWAY_WEST, type SmartPoles } from "./assets";
import { BRIDGE_DECK_HEIGHT_M, BRIDGE_SPAN_COUNT } from "./bridge-sensors";
import { RIVER_NAME, planLayout, type XY } from "./layout";
import { planNetworks } from "./networks";
import { GLOSSARY_EN } from "./names";

export const DEFAULT_SEED = 42;
export const BINHU_CENTER: LonLat = [117.29, 31.735];
export const TENANT = "hefei";

export interface GenerateCityOptions {
  /** PRNG seed; default 42. */
  seed?: number;
  /** Multiplies asset and sensor counts (area grows with scale); default 1. */
  scale?: number;
  /** Devices per smart pole (assets.ts); default "basic", the demo city's lamp + environment. */
  smartPoles?: SmartPoles;
}

/**
 * @example
 *   const city = generateCity({ seed: 42 });
 *   city.sensors.length; // ~1,200 at scale 1
 */
export function generateCity(options: GenerateCityOptions = {}): CityModel {
  const seed = options.seed ?? DEFAULT_SEED;
  const scale = options.scale ?? 1;
  if (!Number.isInteger(seed))
    throw new CityTwinError("SIM_BAD_SEED", `seed must be an integer, got ${seed}`);
  if (!(scale > 0 && scale <= 400))
    throw new CityTwinError("SIM_BAD_SCALE", `scale must be in (0, 400], got ${scale}`);
  const rng = createRng(seed);
  const proj = projection(BINHU_CENTER[0], BINHU_CENTER[1]);
  const ll = (xy: XY): LonLat => proj.toLonLat(xy[0], xy[1]);
  const llh = (xy: XY, h: number): LonLatH => [...ll(xy), h];
  const adcode = "340111";

  const layout = planLayout(rng, scale);
  const networks = planNetworks(layout);
  const inventory = planInventory(layout, networks, proj, rng, adcode, options.smartPoles);
  const [west, south] = ll([-layout.width / 2 - 60, -layout.height / 2 - 60]);
  const [east, north] = ll([layout.width / 2 + 60, layout.height / 2 + 60]);

  const areas: CityModel["areas"] = [
    {
      id: "AR-RIVER",
      kind: "water",
      name: `${RIVER_NAME.en} ${RIVER_NAME.zh}`,
      ring: layout.river.ring.map(ll),
    },
  ];
  for (const b of layout.blocks) {
    if (b.kind === "built") continue;
    const ring = b.kind === "green" ? riverParkRing(b, layout.river.y, layout.river.halfWidth + 4) : rect(b);
    for (const [part, r] of ring.entries()) {
      areas.push({
        id: `AR-${b.kind === "green" ? "PARK" : "PLAZA"}-${b.col + 1}-${b.row + 1}${ring.length > 1 ? `-${part + 1}` : ""}`,
        kind: b.kind,
        name: b.kind === "green" ? "塘西河公园 Tangxi River Park" : "滨湖市民广场 Binhu Civic Plaza",
        ring: r.map(ll),
      });
    }
  }

  return {
    schema: "citytwin.city/v1",
    seed,
    tenant: TENANT,
    glossary: { ...GLOSSARY_EN },
    city: { name: "Hefei", nameZh: "合肥市", adcode: "340100" },
    district: {
      name: "Baohe District (Binhu New Area)",
      nameZh: "包河区（滨湖新区）",
      adcode,
      center: BINHU_CENTER,
      bbox: [west, south, east, north],
    },
    gateways: [
      {
        id: GATEWAY_WEST,
        name: "Binhu west gateway 滨湖西区网关",
        position: llh([-layout.width / 4, 10], 0),
      },
      { id: GATEWAY_EAST, name: "Binhu east gateway 滨湖东区网关", position: llh([layout.width / 4, 10], 0) },
    ],
    streets: layout.streets.map((s) => ({
      id: s.id,
      name: s.line.name.en,
      nameZh: s.line.name.zh,
      class: s.line.cls,
      widthM: s.line.width,
      path:
        s.line.axis === "ns"
          ? [ll([s.line.coord, s.from]), ll([s.line.coord, s.to])]
          : [ll([s.from, s.line.coord]), ll([s.to, s.line.coord])],
    })),
    areas,
    buildings: layout.buildings.map((b) => ({
      id: b.id,
      use: b.use,
      heightM: b.heightM,
      footprint: b.ring.map(ll),
    })),
    pipes: networks.pipes.map((p) => ({
      id: p.id,
      network: p.network,
      diameterMm: p.diameterMm,
      material: p.material,
      path: p.path.map((xy) => llh(xy, p.depth)),
    })),
    nodes: networks.nodes.map((n) => ({
      id: n.id,
      network: n.network,
      kind: n.kind,
      position: llh(n.xy, n.depth),
    })),
    bridges: layout.bridges.map((b) => ({
      id: b.id,
      name: b.name.en,
      nameZh: b.name.zh,
      deck: Array.from({ length: BRIDGE_SPAN_COUNT + 1 }, (_, i) =>
        llh([b.line.coord, b.y0 + ((b.y1 - b.y0) * i) / BRIDGE_SPAN_COUNT], BRIDGE_DECK_HEIGHT_M),
      ),
      widthM: b.line.width,
      spanCount: BRIDGE_SPAN_COUNT,
    })),
    ...inventory,
  };
}

function rect(b: { x0: number; x1: number; y0: number; y1: number }): XY[][] {
  return [
    [
      [b.x0, b.y0],
      [b.x1, b.y0],
      [b.x1, b.y1],
      [b.x0, b.y1],
    ],
  ];
}

/** A river-row block becomes two bank parks, one each side of the water. */
function riverParkRing(
  b: { x0: number; x1: number; y0: number; y1: number },
  riverY: number,
  clear: number,
): XY[][] {
  const out: XY[][] = [];
  if (riverY - clear > b.y0) out.push(...rect({ ...b, y1: riverY - clear }));
  if (riverY + clear < b.y1) out.push(...rect({ ...b, y0: riverY + clear }));
  return out;
}
