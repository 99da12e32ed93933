/**
 * The shared three.js stage of the detail views: renderer (preserveDrawingBuffer so a test can
 * read pixels), camera, lights and orbit controls. Renders on demand only — `requestRender()`
 * coalesces to one animation frame; there is no render loop. `dispose()` frees every geometry,
 * material and the WebGL context.
 */
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";

export const BACKGROUND = "#0b1322";

export class DetailScene {
  readonly scene = new THREE.Scene();
  readonly camera: THREE.PerspectiveCamera;
  readonly renderer: THREE.WebGLRenderer;
  readonly controls: OrbitControls;
  /** Frames drawn so far (probe). */
  renders = 0;
  private frameRequested = false;
  private disposed = false;

  constructor(container: HTMLElement, width: number, height: number) {
    this.renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    this.renderer.setSize(width, height);
    this.renderer.setClearColor(BACKGROUND);
    this.renderer.domElement.dataset.testid = "detail-3d";
    container.append(this.renderer.domElement);
    this.camera = new THREE.PerspectiveCamera(40, width / height, 0.5, 5000);
    this.scene.add(new THREE.HemisphereLight("#cfe3ff", "#1a2232", 1.6));
    const sun = new THREE.DirectionalLight("#ffffff", 1.8);
    sun.position.set(60, 120, 80);
    this.scene.add(sun);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.addEventListener("change", () => this.requestRender());
  }

  /** Points the camera at `target` from `offset` (world units) and renders. */
  frame(target: THREE.Vector3, offset: THREE.Vector3): void {
    this.camera.position.copy(target).add(offset);
    this.controls.target.copy(target);
    this.controls.update();
    this.requestRender();
  }

  requestRender(): void {
    if (this.frameRequested || this.disposed) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      if (this.disposed) return;
      this.renderer.render(this.scene, this.camera);
      this.renders++;
    });
  }

  /** Meshes in the scene (probe). */
  meshCount(): number {
    let n = 0;
    this.scene.traverse((o) => {
      if ((o as THREE.Mesh).isMesh) n++;
    });
    return n;
  }

  dispose(): void {
    this.disposed = true;
    this.controls.dispose();
    this.scene.traverse((o) => {
      const mesh = o as THREE.Mesh;
      if (!mesh.isMesh && !(o as THREE.Line).isLine) return;
      mesh.geometry.dispose();
      const materials = Array.isArray(mesh.material) ? mesh.material : [mesh.material];
      for (const m of materials) m.dispose();
    });
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    this.renderer.domElement.remove();
  }
}

/** A Lambert material in a CSS colour (shared helper of the views). */
export function material(
  css: string,
  opts: THREE.MeshLambertMaterialParameters = {},
): THREE.MeshLambertMaterial {
  return new THREE.MeshLambertMaterial({ color: new THREE.Color(css), ...opts });
}
