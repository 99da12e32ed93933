/**
 * Deck-local metres for a bridge: x along the straight line from the deck's first to its last
 * centre-line point, z across it (right-handed with y up), y the height. Equirectangular
 * projection about the first point: metre-accurate over a bridge's few hundred metres.
 */
import * as THREE from "three";
import type { LonLatH } from "@citytwin/model";

const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON_EQUATOR = 111_320;

export interface DeckFrame {
  length: number;
  /** Mean deck height above ground, m. */
  height: number;
  toLocal(p: readonly [number, number, number?]): THREE.Vector3;
}

export function deckFrame(deck: readonly LonLatH[]): DeckFrame {
  const first = deck[0]!;
  const last = deck[deck.length - 1]!;
  const kx = M_PER_DEG_LON_EQUATOR * Math.cos((first[1] * Math.PI) / 180);
  const east = (p: readonly [number, number, number?]) => (p[0] - first[0]) * kx;
  const north = (p: readonly [number, number, number?]) => (p[1] - first[1]) * M_PER_DEG_LAT;
  const length = Math.hypot(east(last), north(last)) || 1;
  const ax = east(last) / length;
  const ay = north(last) / length;
  const height = deck.reduce((sum, p) => sum + p[2], 0) / deck.length;
  return {
    length,
    height,
    toLocal(p) {
      const e = east(p);
      const n = north(p);
      // along = a·d; across = the deck's right-hand side seen from above (z towards the viewer).
      return new THREE.Vector3(e * ax + n * ay, p[2] ?? height, e * ay - n * ax);
    },
  };
}
