/**
 * Underground networks: pipes as polylines at their (negative) depths, coloured by network, and
 * node shafts (valve chambers, manholes, wells) as vertical lines from the node up to ground.
 * Pipes run under streets, so they also draw where depth testing fails (`depthFailAppearance`):
 * in underground mode they show through roads and buildings; outside it the layer is hidden.
 * One primitive per network, tagged with its domain for the layer toggles.
 */
import type { GeometryInstance, Primitive, PrimitiveCollection } from "cesium";
import type { CityModel, Network } from "@citytwin/model";
import { tagDomain } from "../tools/domain-primitives";
import { Cesium } from "../cesium-global";
import { pathToCartesians, toCartesian } from "./geo";
import { NETWORK_COLORS } from "./palette";

/** Opacity of the parts hidden behind roads and buildings. */
const DEPTH_FAIL_ALPHA = 0.5;

/** Pipe line width in pixels from its diameter: 2 px for service pipes up to 4 px for mains. */
function pipeWidth(diameterMm: number): number {
  return Math.min(4, Math.max(2, Math.round(diameterMm / 300) + 1));
}

function line(
  id: string,
  positions: ReturnType<typeof pathToCartesians>,
  css: string,
  width: number,
  alpha = 1,
) {
  const color = Cesium.Color.fromCssColorString(css);
  return new Cesium.GeometryInstance({
    id,
    geometry: new Cesium.PolylineGeometry({
      positions,
      width,
      arcType: Cesium.ArcType.NONE,
      vertexFormat: Cesium.PolylineColorAppearance.VERTEX_FORMAT,
    }),
    attributes: {
      color: Cesium.ColorGeometryInstanceAttribute.fromColor(color.withAlpha(alpha)),
      depthFailColor: Cesium.ColorGeometryInstanceAttribute.fromColor(
        color.withAlpha(alpha * DEPTH_FAIL_ALPHA),
      ),
    },
  });
}

/** One primitive per network (gas, water, drainage) so each can be hidden on its own. */
export function addUndergroundLayer(primitives: PrimitiveCollection, city: CityModel): Primitive[] {
  const byNetwork = new Map<Network, GeometryInstance[]>();
  const add = (network: Network, instance: GeometryInstance) => {
    const list = byNetwork.get(network) ?? [];
    list.push(instance);
    byNetwork.set(network, list);
  };
  for (const pipe of city.pipes) {
    add(
      pipe.network,
      line(pipe.id, pathToCartesians(pipe.path), NETWORK_COLORS[pipe.network], pipeWidth(pipe.diameterMm)),
    );
  }
  for (const node of city.nodes) {
    if (node.kind === "junction" || node.position[2] >= 0) continue;
    const shaft = [toCartesian(node.position), toCartesian(node.position, 0)];
    add(node.network, line(node.id, shaft, NETWORK_COLORS[node.network], 2, 0.7));
  }
  const out: Primitive[] = [];
  for (const [network, instances] of byNetwork) {
    const primitive = new Cesium.Primitive({
      geometryInstances: instances,
      appearance: new Cesium.PolylineColorAppearance({ translucent: true }),
      depthFailAppearance: new Cesium.PolylineColorAppearance({ translucent: true }),
      asynchronous: false,
      allowPicking: false,
      releaseGeometryInstances: true,
    });
    tagDomain(primitive, network);
    primitives.add(primitive);
    out.push(primitive);
  }
  return out;
}
