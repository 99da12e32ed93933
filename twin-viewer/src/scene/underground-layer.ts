/**
 * Underground networks: pipes as polylines at their (negative) depths, coloured by network, and
 * node shafts (valve chambers, manholes, wells) as vertical lines from the node up to ground.
 * Pipes run under streets, so they also draw where depth testing fails (`depthFailAppearance`):
 * in underground mode they show through roads and buildings; outside it the layer is hidden.
 */
import type { GeometryInstance, Primitive, PrimitiveCollection } from "cesium";
import type { CityModel } from "@citytwin/model";
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

export function addUndergroundLayer(primitives: PrimitiveCollection, city: CityModel): Primitive[] {
  const instances: GeometryInstance[] = [];
  for (const pipe of city.pipes) {
    instances.push(
      line(pipe.id, pathToCartesians(pipe.path), NETWORK_COLORS[pipe.network], pipeWidth(pipe.diameterMm)),
    );
  }
  for (const node of city.nodes) {
    if (node.kind === "junction" || node.position[2] >= 0) continue;
    const shaft = [toCartesian(node.position), toCartesian(node.position, 0)];
    instances.push(line(node.id, shaft, NETWORK_COLORS[node.network], 2, 0.7));
  }
  if (instances.length === 0) return [];
  const primitive = new Cesium.Primitive({
    geometryInstances: instances,
    appearance: new Cesium.PolylineColorAppearance({ translucent: true }),
    depthFailAppearance: new Cesium.PolylineColorAppearance({ translucent: true }),
    asynchronous: false,
    allowPicking: false,
    releaseGeometryInstances: true,
  });
  primitives.add(primitive);
  return [primitive];
}
