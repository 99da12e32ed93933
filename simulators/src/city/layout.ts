/**
 * District layout in local metres (x east, y north, origin at the district centre): the
 * street grid, the river, blocks, buildings, parks and bridges. Pure and seeded.
 */
import type { Rng } from "../random";
import { EW_STREET_NAMES, NS_STREET_NAMES, RIVER_NAME, nthName, type StreetName } from "./names";

export type StreetClass = "arterial" | "secondary" | "local";
export type Axis = "ns" | "ew";
export type XY = [number, number];

export const STREET_WIDTH: Readonly<Record<StreetClass, number>> = { arterial: 40, secondary: 24, local: 12 };
const CLASS_PATTERN: readonly StreetClass[] = ["arterial", "local", "secondary", "local"];

/** A grid line: a north–south street at x = coord, or an east–west one at y = coord. */
export interface GridLine {
  axis: Axis;
  index: number;
  coord: number;
  cls: StreetClass;
  width: number;
  name: StreetName;
}

export interface StreetPiece {
  id: string;
  line: GridLine;
  from: number;
  to: number;
}

export interface BlockPlan {
  col: number;
  row: number;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  kind: "built" | "green" | "plaza";
}

export interface BuildingPlan {
  id: string;
  use: "residential" | "office" | "commercial" | "public" | "industrial";
  heightM: number;
  ring: XY[];
}

export interface BridgePlan {
  id: string;
  line: GridLine;
  /** Deck from south bank to north bank (y), at x = line.coord. */
  y0: number;
  y1: number;
  name: StreetName;
  monitored: boolean;
}

export interface Layout {
  width: number;
  height: number;
  ns: GridLine[];
  ew: GridLine[];
  river: { y: number; halfWidth: number; ring: XY[] };
  /** Row of blocks the river runs through (between ew[riverRow] and ew[riverRow + 1]). */
  riverRow: number;
  streets: StreetPiece[];
  blocks: BlockPlan[];
  buildings: BuildingPlan[];
  bridges: BridgePlan[];
}

const RIVER_HALF_WIDTH = 25;
/** Bridges reach this far past each bank. */
const BRIDGE_OVERHANG = 15;

function gridLines(axis: Axis, extent: number, spacing: number): GridLine[] {
  const count = Math.max(3, Math.round(extent / spacing) + 1);
  const step = extent / (count - 1);
  const names = axis === "ns" ? NS_STREET_NAMES : EW_STREET_NAMES;
  return Array.from({ length: count }, (_, index) => {
    const cls = CLASS_PATTERN[index % CLASS_PATTERN.length] ?? "local";
    return {
      axis,
      index,
      coord: Math.round(-extent / 2 + index * step),
      cls,
      width: STREET_WIDTH[cls],
      name: nthName(names, index),
    };
  });
}

export function planLayout(rng: Rng, scale: number): Layout {
  const k = Math.sqrt(scale);
  const width = 1500 * k;
  const height = 1200 * k;
  const ns = gridLines("ns", width, 250);
  const ew = gridLines("ew", height, 200);
  const riverRow = 1;
  const south = ew[riverRow];
  const north = ew[riverRow + 1];
  if (south === undefined || north === undefined) throw new RangeError("grid too small for the river");
  const riverY = Math.round((south.coord + north.coord) / 2);

  const ring: XY[] = [];
  const x0 = -width / 2 - 60;
  const x1 = width / 2 + 60;
  const steps = 24;
  for (let s = 0; s <= steps; s++) {
    const x = x0 + ((x1 - x0) * s) / steps;
    ring.push([x, riverY - RIVER_HALF_WIDTH + 4 * Math.sin(x / 170)]);
  }
  for (let s = steps; s >= 0; s--) {
    const x = x0 + ((x1 - x0) * s) / steps;
    ring.push([x, riverY + RIVER_HALF_WIDTH + 4 * Math.sin(x / 150)]);
  }

  const riverGap = RIVER_HALF_WIDTH + BRIDGE_OVERHANG;
  const streets: StreetPiece[] = [];
  let streetSerial = 0;
  const nextStreetId = () => `ST-${String(++streetSerial).padStart(3, "0")}`;
  for (const line of ns) {
    const from = -height / 2;
    const to = height / 2;
    // Local streets stop at the river; arterials and secondaries cross it on a bridge.
    if (line.cls === "local") {
      streets.push({ id: nextStreetId(), line, from, to: riverY - riverGap });
      streets.push({ id: nextStreetId(), line, from: riverY + riverGap, to });
    } else {
      streets.push({ id: nextStreetId(), line, from, to });
    }
  }
  for (const line of ew) streets.push({ id: nextStreetId(), line, from: -width / 2, to: width / 2 });

  const bridges: BridgePlan[] = [];
  const crossing = ns.filter((l) => l.cls !== "local");
  const monitoredLine = crossing
    .filter((l) => l.cls === "arterial")
    .reduce<GridLine | undefined>(
      (best, l) => (best === undefined || Math.abs(l.coord) < Math.abs(best.coord) ? l : best),
      undefined,
    );
  crossing.forEach((line, i) => {
    bridges.push({
      id: `BR-${String(i + 1).padStart(2, "0")}`,
      line,
      y0: riverY - riverGap,
      y1: riverY + riverGap,
      name: {
        zh: `${line.name.zh.replace(/(大道|路)$/, "")}桥`,
        en: `${line.name.en.replace(/ (Avenue|Road)$/, "")} Bridge`,
      },
      monitored: line === monitoredLine,
    });
  });

  const blocks: BlockPlan[] = [];
  const buildings: BuildingPlan[] = [];
  const plazaCol = Math.floor((ns.length - 1) / 2);
  const plazaRow = Math.min(ew.length - 2, riverRow + 2);
  for (let col = 0; col < ns.length - 1; col++) {
    for (let row = 0; row < ew.length - 1; row++) {
      const w = ns[col];
      const e = ns[col + 1];
      const s = ew[row];
      const n = ew[row + 1];
      if (w === undefined || e === undefined || s === undefined || n === undefined) continue;
      const setback = 6;
      const block: BlockPlan = {
        col,
        row,
        x0: w.coord + w.width / 2 + setback,
        x1: e.coord - e.width / 2 - setback,
        y0: s.coord + s.width / 2 + setback,
        y1: n.coord - n.width / 2 - setback,
        kind: row === riverRow ? "green" : col === plazaCol && row === plazaRow ? "plaza" : "built",
      };
      blocks.push(block);
      if (block.kind === "built") buildings.push(...planBuildings(rng, block, buildings.length));
    }
  }
  return {
    width,
    height,
    ns,
    ew,
    river: { y: riverY, halfWidth: RIVER_HALF_WIDTH, ring },
    riverRow,
    streets,
    blocks,
    buildings,
    bridges,
  };
}

const USES = [
  "residential",
  "residential",
  "residential",
  "office",
  "office",
  "commercial",
  "commercial",
  "public",
] as const;
const HEIGHT: Readonly<Record<BuildingPlan["use"], [number, number]>> = {
  residential: [24, 100],
  office: [40, 150],
  commercial: [12, 36],
  public: [12, 30],
  industrial: [12, 24],
};
const COVER: Readonly<Record<BuildingPlan["use"], [number, number]>> = {
  residential: [0.45, 0.65],
  office: [0.55, 0.75],
  commercial: [0.75, 0.9],
  public: [0.6, 0.8],
  industrial: [0.7, 0.85],
};

function planBuildings(rng: Rng, b: BlockPlan, serialBase: number): BuildingPlan[] {
  const use = rng.pick(USES);
  const nx = Math.max(1, Math.round((b.x1 - b.x0) / 55));
  const ny = Math.max(1, Math.round((b.y1 - b.y0) / 55));
  const lotW = (b.x1 - b.x0) / nx;
  const lotH = (b.y1 - b.y0) / ny;
  const out: BuildingPlan[] = [];
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      if (rng.chance(0.1)) continue; // open space, car park
      const [cMin, cMax] = COVER[use];
      const fw = lotW * rng.range(cMin, cMax);
      const fh = lotH * rng.range(cMin, cMax);
      const cx = b.x0 + lotW * (i + 0.5) + rng.range(-0.5, 0.5) * (lotW - fw) * 0.5;
      const cy = b.y0 + lotH * (j + 0.5) + rng.range(-0.5, 0.5) * (lotH - fh) * 0.5;
      const [hMin, hMax] = HEIGHT[use];
      out.push({
        id: `BLD-${String(serialBase + out.length + 1).padStart(4, "0")}`,
        use,
        heightM: Math.round(rng.range(hMin, hMax) / 3) * 3,
        ring: [
          [cx - fw / 2, cy - fh / 2],
          [cx + fw / 2, cy - fh / 2],
          [cx + fw / 2, cy + fh / 2],
          [cx - fw / 2, cy + fh / 2],
        ],
      });
    }
  }
  return out;
}

export { RIVER_NAME };
