/**
 * One small sphere per sensor in a detail view, coloured by its drawn state; the selected one is
 * enlarged and ringed. Each marker owns its material (colours change per sensor).
 */
import * as THREE from "three";
import { material } from "./detail-scene";

export class SensorMarkers {
  private readonly meshes = new Map<string, THREE.Mesh<THREE.SphereGeometry, THREE.MeshLambertMaterial>>();
  private readonly geometry: THREE.SphereGeometry;
  private readonly ring: THREE.Mesh;

  constructor(
    private readonly parent: THREE.Object3D,
    private readonly radius: number,
  ) {
    this.geometry = new THREE.SphereGeometry(radius, 16, 12);
    this.ring = new THREE.Mesh(
      new THREE.TorusGeometry(radius * 2.2, radius * 0.25, 8, 32),
      material("#ffffff", { emissive: new THREE.Color("#ffffff"), emissiveIntensity: 0.6 }),
    );
    this.ring.rotation.x = Math.PI / 2;
    this.ring.visible = false;
    parent.add(this.ring);
  }

  get size(): number {
    return this.meshes.size;
  }

  add(id: string, at: THREE.Vector3): void {
    const mesh = new THREE.Mesh(this.geometry, material("#6b7280"));
    mesh.position.copy(at);
    mesh.name = id;
    this.meshes.set(id, mesh);
    this.parent.add(mesh);
  }

  place(id: string, at: THREE.Vector3): void {
    this.meshes.get(id)?.position.copy(at);
  }

  colour(id: string, css: string): void {
    const m = this.meshes.get(id)?.material;
    if (m === undefined) return;
    m.color.set(css);
    m.emissive.set(css).multiplyScalar(0.35);
  }

  highlight(id: string | undefined): void {
    const selected = id === undefined ? undefined : this.meshes.get(id);
    for (const mesh of this.meshes.values()) mesh.scale.setScalar(mesh === selected ? 1.7 : 1);
    this.ring.visible = selected !== undefined;
    if (selected !== undefined) this.ring.position.copy(selected.position);
  }
}
