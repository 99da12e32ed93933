/**
 * A smart pole as a three.js model (metres, y up): base, shaft, arm and lamp head, and one small
 * mesh per mounted device, placed by what the device measures (lamp controller → the lamp head,
 * environment station, EV charger cabinet, SOS call box, tilt sensor). Each device mesh is
 * coloured by the worst state of its sensors (level / offline / no data); the shaft leans by the
 * measured tilt, exaggerated TILT_EXAGGERATION times. Sensor markers ring their device.
 */
import * as THREE from "three";
import type { Device, Sensor } from "@citytwin/model";
import type { SensorLayer } from "../../sensors/sensor-layer";
import { conditionCss, conditionOf, numericValue, worstCondition } from "../sensor-look";
import { DetailScene, material } from "./detail-scene";
import { SensorMarkers } from "./sensor-markers";

export const TILT_EXAGGERATION = 5;
const POLE_HEIGHT_M = 10;
const ARM_LENGTH_M = 2.6;

type Mount = "lamp" | "environment" | "ev" | "sos" | "tilt" | "other";

/** Where a device sits on the pole, by the kinds of its sensors. */
function mountOf(sensors: readonly Sensor[]): Mount {
  const kinds = new Set(sensors.map((s) => s.kind));
  if ([...kinds].some((k) => k.startsWith("lamp_"))) return "lamp";
  if (kinds.has("tilt")) return "tilt";
  if (kinds.has("sos_button")) return "sos";
  if ([...kinds].some((k) => k.startsWith("ev_"))) return "ev";
  if (kinds.has("pm25") || kinds.has("noise_laeq") || kinds.has("temperature")) return "environment";
  return "other";
}

/** The mesh of a device at its mount (in the pole's own frame; the arm points along +x). */
function deviceMesh(
  mount: Mount,
  index: number,
): THREE.Mesh<THREE.BufferGeometry, THREE.MeshLambertMaterial> {
  const m = material("#6b7280");
  switch (mount) {
    case "lamp": {
      const head = new THREE.Mesh(new THREE.BoxGeometry(1.3, 0.22, 0.55), m);
      head.position.set(ARM_LENGTH_M - 0.3, POLE_HEIGHT_M - 0.55, 0);
      return head;
    }
    case "environment": {
      const box = new THREE.Mesh(new THREE.BoxGeometry(0.5, 0.6, 0.4), m);
      box.position.set(-0.42, 6.5, 0);
      return box;
    }
    case "ev": {
      const cabinet = new THREE.Mesh(new THREE.BoxGeometry(0.6, 1.5, 0.4), m);
      cabinet.position.set(0, 0.75, 1.1);
      return cabinet;
    }
    case "sos": {
      const box = new THREE.Mesh(new THREE.BoxGeometry(0.3, 0.45, 0.22), m);
      box.position.set(0, 1.5, 0.3);
      return box;
    }
    case "tilt": {
      const puck = new THREE.Mesh(new THREE.CylinderGeometry(0.26, 0.26, 0.18, 20), m);
      puck.position.set(0, 0.9, 0);
      return puck;
    }
    default: {
      const ball = new THREE.Mesh(new THREE.SphereGeometry(0.25, 16, 12), m);
      ball.position.set(0.35, 3 + index * 0.8, -0.3);
      return ball;
    }
  }
}

export class PoleView {
  readonly kind = "pole";
  readonly stage: DetailScene;
  readonly sensorsShown: number;
  private readonly shaft = new THREE.Group();
  private readonly devices: {
    sensors: readonly Sensor[];
    mesh: THREE.Mesh<THREE.BufferGeometry, THREE.MeshLambertMaterial>;
  }[] = [];
  private readonly markers: SensorMarkers;
  private readonly tiltSensor: Sensor | undefined;

  constructor(
    container: HTMLElement,
    size: { width: number; height: number },
    devices: readonly Device[],
    sensorsByDevice: (deviceId: string) => readonly Sensor[],
    private readonly layer: SensorLayer,
  ) {
    this.stage = new DetailScene(container, size.width, size.height);
    const steel = material("#9aa7b8");
    const base = new THREE.Mesh(new THREE.CylinderGeometry(0.45, 0.5, 0.4, 24), material("#4b5563"));
    base.position.y = 0.2;
    const pole = new THREE.Mesh(new THREE.CylinderGeometry(0.11, 0.17, POLE_HEIGHT_M, 20), steel);
    pole.position.y = POLE_HEIGHT_M / 2;
    const arm = new THREE.Mesh(new THREE.BoxGeometry(ARM_LENGTH_M, 0.1, 0.1), steel);
    arm.position.set(ARM_LENGTH_M / 2, POLE_HEIGHT_M - 0.35, 0);
    const ground = new THREE.Mesh(new THREE.PlaneGeometry(14, 14), material("#1f2937"));
    ground.rotation.x = -Math.PI / 2;
    this.shaft.add(pole, arm);
    this.stage.scene.add(ground, base, this.shaft);
    this.markers = new SensorMarkers(this.shaft, 0.09);
    devices.forEach((d, i) => {
      const sensors = sensorsByDevice(d.id);
      const mesh = deviceMesh(mountOf(sensors), i);
      mesh.name = d.id;
      this.shaft.add(mesh);
      this.devices.push({ sensors, mesh });
      const box = new THREE.Box3().setFromObject(mesh);
      sensors.forEach((s, k) => {
        const angle = (2 * Math.PI * k) / sensors.length;
        const at = new THREE.Vector3(
          mesh.position.x + Math.cos(angle) * 0.45,
          box.max.y + 0.12,
          mesh.position.z + Math.sin(angle) * 0.45,
        );
        this.markers.add(s.id, at);
      });
    });
    this.tiltSensor = this.devices.flatMap((d) => d.sensors).find((s) => s.kind === "tilt");
    this.sensorsShown = this.markers.size;
    this.stage.frame(new THREE.Vector3(0.8, 5.2, 0), new THREE.Vector3(10, 3, 15));
  }

  update(selectedId: string | undefined): void {
    for (const { sensors, mesh } of this.devices) {
      const css = conditionCss(worstCondition(sensors.map((s) => conditionOf(this.layer, s.id))));
      mesh.material.color.set(css);
      mesh.material.emissive.set(css).multiplyScalar(0.3);
      for (const s of sensors) this.markers.colour(s.id, conditionCss(conditionOf(this.layer, s.id)));
    }
    const tiltDeg = this.tiltSensor === undefined ? undefined : numericValue(this.layer, this.tiltSensor.id);
    this.shaft.rotation.z = -((tiltDeg ?? 0) * TILT_EXAGGERATION * Math.PI) / 180;
    this.markers.highlight(selectedId);
    this.stage.requestRender();
  }

  dispose(): void {
    this.stage.dispose();
  }
}
