/**
 * Local tangent-plane projection around the district centre: x metres east, y metres north.
 * Equirectangular; error is well under a metre over a few kilometres, which is all a
 * district-sized demo needs.
 */
import type { LonLat } from "@citytwin/model";

const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON_EQUATOR = 111_320;

export interface Projection {
  toLonLat(x: number, y: number): LonLat;
  toXY(lon: number, lat: number): [number, number];
}

export function projection(centerLon: number, centerLat: number): Projection {
  const mPerDegLon = M_PER_DEG_LON_EQUATOR * Math.cos((centerLat * Math.PI) / 180);
  const round = (v: number) => Math.round(v * 1e7) / 1e7;
  return {
    toLonLat: (x, y) => [round(centerLon + x / mPerDegLon), round(centerLat + y / M_PER_DEG_LAT)],
    toXY: (lon, lat) => [(lon - centerLon) * mPerDegLon, (lat - centerLat) * M_PER_DEG_LAT],
  };
}
