/**
 * `window.__citytwin`: read-only probes for automated checks. Every value is read from the live
 * Cesium primitives (the collection's length, the point's colour), not from a shadow copy, so a
 * test proves what is drawn. `select` drives the inspector as a click would.
 */
import type { Scene } from "cesium";
import type { Level } from "@citytwin/model";
import { Cesium } from "./cesium-global";
import type { SensorLayer } from "./sensors/sensor-layer";

export interface CityTwinHooks {
  /** City drawn, latest readings applied and at least one frame rendered since. */
  ready: boolean;
  /** Set when start-up failed. */
  error: string | undefined;
  /** Set when the API refused the token: the login state is shown. */
  auth: "missing" | "invalid" | "forbidden" | undefined;
  /** Points in the sensor collection. */
  readonly sensorCount: number;
  /** CSS hex (#rrggbb, or #rrggbbaa when translucent) of the sensor's point, as drawn. */
  colorOf(sensorId: string): string | undefined;
  levelOf(sensorId: string): Level | undefined;
  /** The point's window position in CSS pixels, for clicking it; undefined when off screen. */
  screenPositionOf(sensorId: string): { x: number; y: number } | undefined;
  /** Opens the inspector for a sensor (as clicking it does); false for an unknown id. */
  select(sensorId: string | undefined): boolean;
  framesRendered: number;
  /** Duration of the last scene render, ms. */
  lastFrameMs: number | undefined;
  /** Turns the camera's heading by `deg` in place and requests a frame (benchmarks drive motion with it). */
  turnCamera(deg: number): void;
  /** Points the camera at a sensor from `rangeM` metres, 35° down, at once; false for an unknown id. */
  viewSensor(sensorId: string, rangeM: number): boolean;
  /** Per-feature probes (`registerProbe`): alarms, detail, timeline, layers, byo, … */
  features: Record<string, unknown>;
}

declare global {
  interface Window {
    __citytwin?: CityTwinHooks;
  }
}

export interface HookDeps {
  scene: Scene;
  layer(): SensorLayer | undefined;
  select(sensorId: string | undefined): boolean;
}

export function installHooks(deps: HookDeps): CityTwinHooks {
  const hooks: CityTwinHooks = {
    ready: false,
    error: undefined,
    auth: undefined,
    get sensorCount() {
      return deps.layer()?.points.length ?? 0;
    },
    colorOf: (id) => deps.layer()?.point(id)?.color.toCssHexString(),
    levelOf: (id) => deps.layer()?.state(id)?.level,
    screenPositionOf(id) {
      const point = deps.layer()?.point(id);
      if (point === undefined) return undefined;
      const pos = deps.scene.cartesianToCanvasCoordinates(point.position);
      if (pos === undefined) return undefined;
      const rect = deps.scene.canvas.getBoundingClientRect();
      return { x: rect.left + pos.x, y: rect.top + pos.y };
    },
    select: (id) => deps.select(id),
    framesRendered: 0,
    lastFrameMs: undefined,
    features: {},
    viewSensor(id, rangeM) {
      const point = deps.layer()?.point(id);
      if (point === undefined) return false;
      const cam = deps.scene.camera;
      cam.lookAt(point.position, new Cesium.HeadingPitchRange(0, Cesium.Math.toRadians(-35), rangeM));
      cam.lookAtTransform(Cesium.Matrix4.IDENTITY);
      deps.scene.requestRender();
      return true;
    },
    turnCamera(deg) {
      const cam = deps.scene.camera;
      cam.setView({
        orientation: { heading: cam.heading + (deg * Math.PI) / 180, pitch: cam.pitch, roll: cam.roll },
      });
      deps.scene.requestRender();
    },
  };
  let started = 0;
  deps.scene.preRender.addEventListener(() => {
    started = performance.now();
  });
  deps.scene.postRender.addEventListener(() => {
    hooks.framesRendered++;
    hooks.lastFrameMs = performance.now() - started;
  });
  window.__citytwin = hooks;
  return hooks;
}

/** Exposes a feature's read-only probe at `window.__citytwin.features[name]` (for browser tests). */
export function registerProbe(name: string, probe: unknown): void {
  const hooks = window.__citytwin;
  if (hooks !== undefined) hooks.features[name] = probe;
}
