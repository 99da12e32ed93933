/**
 * Underground networks laid along the street grid, in local metres: gas on the east/north
 * side of each street, water on the west/south side, drainage on the centre line. Pipes run
 * junction to junction; drainage discharges to outfalls on the river banks.
 */
import type { Network, NetworkNode } from "@citytwin/model";
import type { GridLine, Layout, StreetClass, StreetPiece, XY } from "./layout";

export interface PipePlan {
  id: string;
  network: Network;
  diameterMm: number;
  material: string;
  depth: number;
  path: XY[];
  street: StreetPiece;
}

export interface NodePlan {
  id: string;
  network: Network;
  kind: NetworkNode["kind"];
  xy: XY;
  depth: number;
  /** The pipe the node sits on (first one, for junctions). */
  pipeId: string;
  street: StreetPiece;
  /** Interior drainage wells chosen for level monitoring. */
  monitored: boolean;
}

export interface NetworkPlan {
  pipes: PipePlan[];
  nodes: NodePlan[];
}

export const DEPTH: Readonly<Record<Network, number>> = { gas: -1.2, water: -1.5, drainage: -3 };
const LATERAL: Readonly<Record<Network, number>> = { gas: 0.25, water: -0.25, drainage: 0 };
const DIAMETER: Readonly<Record<Network, Record<StreetClass, number>>> = {
  gas: { arterial: 300, secondary: 200, local: 110 },
  water: { arterial: 600, secondary: 400, local: 200 },
  drainage: { arterial: 1200, secondary: 800, local: 500 },
};
const MATERIAL: Readonly<Record<Network, Record<StreetClass, string>>> = {
  gas: { arterial: "steel Q235B", secondary: "steel Q235B", local: "PE100 SDR11" },
  water: { arterial: "ductile iron", secondary: "ductile iron", local: "PE100" },
  drainage: { arterial: "reinforced concrete", secondary: "reinforced concrete", local: "HDPE double-wall" },
};
const PREFIX: Readonly<Record<Network, string>> = { gas: "G", water: "W", drainage: "D" };
const WELL_SPACING_M = 50;
const MONITOR_EVERY_NTH_WELL = 3;

function offset(net: Network, line: GridLine): number {
  return LATERAL[net] * line.width;
}

export function planNetworks(layout: Layout): NetworkPlan {
  const pipes: PipePlan[] = [];
  const nodes: NodePlan[] = [];
  const junctions = new Map<string, NodePlan>();
  const serial: Record<string, number> = {};
  const nextId = (prefix: string) => {
    serial[prefix] = (serial[prefix] ?? 0) + 1;
    return `${prefix}-${String(serial[prefix]).padStart(4, "0")}`;
  };
  let wellCounter = 0;

  const junction = (net: Network, i: number, j: number, xy: XY, pipe: PipePlan): void => {
    const key = `${net}:${i}:${j}`;
    if (junctions.has(key)) return;
    const node: NodePlan = {
      id: nextId(`${PREFIX[net]}N`),
      network: net,
      kind: net === "drainage" ? "drainage_well" : "junction",
      xy,
      depth: DEPTH[net],
      pipeId: pipe.id,
      street: pipe.street,
      monitored: false,
    };
    junctions.set(key, node);
    nodes.push(node);
  };
  const addNode = (pipe: PipePlan, kind: NodePlan["kind"], xy: XY, monitored = false): void => {
    nodes.push({
      id: nextId(`${PREFIX[pipe.network]}N`),
      network: pipe.network,
      kind,
      xy,
      depth: DEPTH[pipe.network],
      pipeId: pipe.id,
      street: pipe.street,
      monitored,
    });
  };

  const lay = (
    net: Network,
    street: StreetPiece,
    a: XY,
    b: XY,
    ends: [string | undefined, string | undefined],
  ) => {
    const cls = street.line.cls;
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const path: XY[] = [a];
    const wells = net === "drainage" ? Math.max(1, Math.round(len / WELL_SPACING_M)) : 1;
    for (let s = 1; s < wells; s++) path.push(lerp(a, b, s / wells));
    path.push(b);
    const pipe: PipePlan = {
      id: nextId(`${PREFIX[net]}P`),
      network: net,
      diameterMm: DIAMETER[net][cls],
      material: MATERIAL[net][cls],
      depth: DEPTH[net],
      path,
      street,
    };
    pipes.push(pipe);
    const [endA, endB] = ends;
    for (const [end, xy] of [
      [endA, a],
      [endB, b],
    ] as const) {
      if (end === undefined) continue;
      if (end.startsWith("J:")) {
        const [, i, j] = end.split(":");
        junction(net, Number(i), Number(j), xy, pipe);
      } else if (end === "outfall") addNode(pipe, "outfall", xy);
      else addNode(pipe, "junction", xy); // dead end (cap) at the river bank
    }
    if (net === "drainage") {
      for (let s = 1; s < path.length - 1; s++) {
        const p = path[s];
        if (p !== undefined) addNode(pipe, "drainage_well", p, ++wellCounter % MONITOR_EVERY_NTH_WELL === 1);
      }
    }
    if (net === "gas") {
      const across = street.line.axis === "ns" ? ([1, 0] as const) : ([0, 1] as const);
      if (cls !== "local") addNode(pipe, "valve_chamber", lerp(a, b, 0.5));
      const m = lerp(a, b, 0.25);
      addNode(pipe, "manhole", [m[0] + across[0] * 2.5, m[1] + across[1] * 2.5]);
    }
  };

  const { ns, ew, river, riverRow } = layout;
  const bankGap = river.halfWidth + 2;
  for (const net of ["gas", "water", "drainage"] as const) {
    const J = (i: number, j: number): XY => {
      const n = ns[i];
      const e = ew[j];
      if (n === undefined || e === undefined) throw new RangeError(`no junction ${i},${j}`);
      return [n.coord + offset(net, n), e.coord + offset(net, e)];
    };
    for (const street of layout.streets) {
      const line = street.line;
      if (line.axis === "ns") {
        const i = line.index;
        for (let j = 0; j < ew.length - 1; j++) {
          const a = J(i, j);
          const b = J(i, j + 1);
          const sy = ew[j]?.coord ?? 0;
          const ny = ew[j + 1]?.coord ?? 0;
          if (ny <= street.from || sy >= street.to) continue;
          if (j !== riverRow) {
            lay(net, street, a, b, [`J:${i}:${j}`, `J:${i}:${j + 1}`]);
            continue;
          }
          // Gas and water cross on arterial and secondary bridges; drainage discharges on the banks.
          if (line.cls !== "local" && net !== "drainage") {
            lay(net, street, a, b, [`J:${i}:${j}`, `J:${i}:${j + 1}`]);
            continue;
          }
          const bankEnd = net === "drainage" ? "outfall" : "cap";
          if (street.from < river.y) lay(net, street, a, [a[0], river.y - bankGap], [`J:${i}:${j}`, bankEnd]);
          if (street.to > river.y)
            lay(net, street, [b[0], river.y + bankGap], b, [bankEnd, `J:${i}:${j + 1}`]);
        }
      } else {
        const j = line.index;
        for (let i = 0; i < ns.length - 1; i++)
          lay(net, street, J(i, j), J(i + 1, j), [`J:${i}:${j}`, `J:${i + 1}:${j}`]);
      }
    }
  }
  // Feed points: the gas regulator station and the water inlet on the west edge.
  const mid = Math.floor(ew.length / 2);
  for (const net of ["gas", "water"] as const) {
    const feed = junctions.get(`${net}:0:${mid}`);
    if (feed !== undefined) feed.kind = "source";
  }
  return { pipes, nodes };
}

function lerp(a: XY, b: XY, t: number): XY {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}
