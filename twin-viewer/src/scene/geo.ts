/** Coordinate helpers: city-model [lon, lat(, h)] → Cesium Cartesian3, and district framing. */
import type { BoundingSphere, Cartesian3, Viewer } from "cesium";
import type { CityModel, LonLat, LonLatH } from "@citytwin/model";
import { Cesium } from "../cesium-global";

export function toCartesian(p: LonLat | LonLatH, heightOverride?: number): Cartesian3 {
  return Cesium.Cartesian3.fromDegrees(p[0], p[1], heightOverride ?? p[2] ?? 0);
}

export function pathToCartesians(path: readonly (LonLat | LonLatH)[], height?: number): Cartesian3[] {
  return path.map((p) => toCartesian(p, height));
}

/** A sphere around the district bbox (ground level), used to frame the camera. */
export function districtSphere(city: CityModel): BoundingSphere {
  const [w, s, e, n] = city.district.bbox;
  const corners = [
    toCartesian([w, s], 0),
    toCartesian([e, s], 0),
    toCartesian([e, n], 0),
    toCartesian([w, n], 0),
  ];
  return Cesium.BoundingSphere.fromPoints(corners);
}

/** Frames the district at an oblique angle (looking north-north-east, 38° down). */
export function frameDistrict(viewer: Viewer, city: CityModel): void {
  const sphere = districtSphere(city);
  viewer.camera.flyToBoundingSphere(sphere, {
    duration: 0,
    offset: new Cesium.HeadingPitchRange(
      Cesium.Math.toRadians(20),
      Cesium.Math.toRadians(-38),
      Math.max(sphere.radius * 1.9, 300),
    ),
  });
  viewer.scene.requestRender();
}

/** Flies to a point, looking down at 45° from 250 m (1.2 s). */
export function flyToPosition(viewer: Viewer, p: LonLat | LonLatH): void {
  const target = toCartesian(p);
  viewer.camera.flyToBoundingSphere(new Cesium.BoundingSphere(target, 30), {
    duration: 1.2,
    offset: new Cesium.HeadingPitchRange(Cesium.Math.toRadians(20), Cesium.Math.toRadians(-45), 250),
  });
  viewer.scene.requestRender();
}
