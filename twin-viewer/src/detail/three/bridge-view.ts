/**
 * A bridge as a three.js model in deck-local metres (x along the deck from its first centre-line
 * point, y up, z across): the deck subdivided per span, piers and abutments, the river below, one
 * marker per sensor. `update()` recolours the deck by the strain sensors (level colour of the
 * nearest strain gauge, brighter towards its red bound) and bends it by the measured deflection of
 * each span (a half-sine per span, exaggerated DEFLECTION_EXAGGERATION times).
 */
import * as THREE from "three";
import { sensorKind, type Bridge, type Sensor } from "@citytwin/model";
import type { SensorLayer } from "../../sensors/sensor-layer";
import { conditionCss, conditionOf, numericValue } from "../sensor-look";
import { DetailScene, material } from "./detail-scene";
import { deckFrame, type DeckFrame } from "./deck-frame";
import { SensorMarkers } from "./sensor-markers";

export const DEFLECTION_EXAGGERATION = 100;
const DECK_THICKNESS_M = 1.4;
const SEGMENTS_PER_SPAN = 16;
const CONCRETE = new THREE.Color("#7b8796");
const MARKER_LANES = ["strain", "deflection", "acceleration"];

export class BridgeView {
  readonly kind = "bridge";
  readonly stage: DetailScene;
  readonly sensorsShown: number;
  private readonly frame: DeckFrame;
  private readonly deck: THREE.Mesh<THREE.BoxGeometry, THREE.MeshLambertMaterial>;
  private readonly restY: Float32Array;
  private readonly markers: SensorMarkers;
  private readonly strain: Sensor[];
  private readonly deflection: Sensor[];

  constructor(
    container: HTMLElement,
    size: { width: number; height: number },
    private readonly bridge: Bridge,
    private readonly sensors: readonly Sensor[],
    private readonly layer: SensorLayer,
  ) {
    this.stage = new DetailScene(container, size.width, size.height);
    this.frame = deckFrame(bridge.deck);
    const { length, height } = this.frame;
    const geometry = new THREE.BoxGeometry(
      length,
      DECK_THICKNESS_M,
      bridge.widthM,
      bridge.spanCount * SEGMENTS_PER_SPAN,
      1,
      1,
    );
    geometry.translate(length / 2, height - DECK_THICKNESS_M / 2, 0);
    geometry.setAttribute(
      "color",
      new THREE.BufferAttribute(new Float32Array(geometry.attributes.position!.count * 3), 3),
    );
    this.restY = Float32Array.from(geometry.attributes.position!.array).filter((_, i) => i % 3 === 1);
    this.deck = new THREE.Mesh(geometry, material("#ffffff", { vertexColors: true }));
    this.stage.scene.add(this.deck, ...this.supports(), this.river());
    this.strain = sensors.filter((s) => s.kind === "strain");
    this.deflection = sensors.filter((s) => s.kind === "deflection");
    this.markers = new SensorMarkers(this.stage.scene, Math.max(0.5, length / 50));
    for (const s of sensors) this.markers.add(s.id, this.markerAt(s, 0));
    this.sensorsShown = this.markers.size;
    this.stage.frame(
      new THREE.Vector3(length / 2, height, 0),
      new THREE.Vector3(length * 0.5, length * 0.55, length * 1.15),
    );
  }

  /** Re-reads the sensors' drawn state: deck colour and shape, marker colours, the selection. */
  update(selectedId: string | undefined): void {
    const pos = this.deck.geometry.attributes.position as THREE.BufferAttribute;
    const col = this.deck.geometry.attributes.color as THREE.BufferAttribute;
    const amplitudes = this.spanDeflectionsM();
    const spanLength = this.frame.length / this.bridge.spanCount;
    const c = new THREE.Color();
    for (let i = 0; i < pos.count; i++) {
      const x = pos.getX(i);
      const span = Math.min(this.bridge.spanCount - 1, Math.max(0, Math.floor(x / spanLength)));
      const u = (x - span * spanLength) / spanLength;
      pos.setY(i, this.restY[i]! - (amplitudes[span] ?? 0) * Math.sin(Math.PI * u));
      this.strainColour(x, c);
      col.setXYZ(i, c.r, c.g, c.b);
    }
    pos.needsUpdate = true;
    col.needsUpdate = true;
    this.deck.geometry.computeVertexNormals();
    for (const s of this.sensors) {
      const x = this.frame.toLocal(s.position).x;
      const span = Math.min(this.bridge.spanCount - 1, Math.max(0, Math.floor(x / spanLength)));
      const sag = (amplitudes[span] ?? 0) * Math.sin((Math.PI * (x - span * spanLength)) / spanLength);
      this.markers.place(s.id, this.markerAt(s, sag));
      this.markers.colour(s.id, conditionCss(conditionOf(this.layer, s.id)));
    }
    this.markers.highlight(selectedId);
    this.stage.requestRender();
  }

  dispose(): void {
    this.stage.dispose();
  }

  /**
   * A sensor's marker on the deck surface, `sag` metres down. Gauges share centre-line stations,
   * so each kind gets its own lane across the deck (strain, deflection, acceleration).
   */
  private markerAt(s: Sensor, sag: number): THREE.Vector3 {
    const p = this.frame.toLocal(s.position);
    const lane = MARKER_LANES.indexOf(s.kind);
    p.z += ((lane < 0 ? 1 : lane) - 1) * (this.bridge.widthM / 4);
    p.y = this.frame.height + 0.9 - sag;
    return p;
  }

  /** Exaggerated sag per span in metres: the mean deflection (mm) of the span's gauges. */
  private spanDeflectionsM(): number[] {
    const spanLength = this.frame.length / this.bridge.spanCount;
    const sums = new Array<number>(this.bridge.spanCount).fill(0);
    const counts = new Array<number>(this.bridge.spanCount).fill(0);
    for (const s of this.deflection) {
      const v = numericValue(this.layer, s.id);
      if (v === undefined) continue;
      const x = this.frame.toLocal(s.position).x;
      const span = Math.min(this.bridge.spanCount - 1, Math.max(0, Math.floor(x / spanLength)));
      sums[span]! += v;
      counts[span]!++;
    }
    return sums.map((sum, i) => (counts[i]! > 0 ? ((sum / counts[i]!) * DEFLECTION_EXAGGERATION) / 1000 : 0));
  }

  /** Concrete grey blended towards the nearest strain gauge's level colour by |strain| / red bound. */
  private strainColour(x: number, out: THREE.Color): void {
    let nearest: Sensor | undefined;
    let best = Number.POSITIVE_INFINITY;
    for (const s of this.strain) {
      const d = Math.abs(this.frame.toLocal(s.position).x - x);
      if (d < best) [best, nearest] = [d, s];
    }
    out.copy(CONCRETE);
    if (nearest === undefined) return;
    const v = numericValue(this.layer, nearest.id);
    if (v === undefined) return;
    const red = sensorKind("strain")?.thresholds?.red ?? 1;
    const weight = 0.35 + 0.65 * Math.min(1, Math.abs(v) / red);
    out.lerp(new THREE.Color(conditionCss(conditionOf(this.layer, nearest.id))), weight);
  }

  private supports(): THREE.Mesh[] {
    const { length, height } = this.frame;
    const pierHeight = height - DECK_THICKNESS_M;
    const concrete = material("#56606e");
    const out: THREE.Mesh[] = [];
    for (let i = 0; i <= this.bridge.spanCount; i++) {
      const end = i === 0 || i === this.bridge.spanCount;
      const geometry = end
        ? new THREE.BoxGeometry(3, pierHeight, this.bridge.widthM + 1)
        : new THREE.CylinderGeometry(0.9, 1.1, pierHeight, 16);
      const pier = new THREE.Mesh(geometry, concrete);
      pier.position.set((i * length) / this.bridge.spanCount, pierHeight / 2, 0);
      out.push(pier);
    }
    return out;
  }

  private river(): THREE.Mesh {
    const { length } = this.frame;
    const water = new THREE.Mesh(
      new THREE.PlaneGeometry(length * 1.6, length * 1.2),
      material("#12395e", { side: THREE.DoubleSide }),
    );
    water.rotation.x = -Math.PI / 2;
    water.position.set(length / 2, 0, 0);
    return water;
  }
}
