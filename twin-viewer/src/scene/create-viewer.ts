/**
 * Creates the Cesium viewer fully offline: no ion token, no imagery or terrain services, no
 * online widgets, credits hidden. Renders on demand only (`requestRenderMode`): callers that change
 * the scene must call `scene.requestRender()`.
 */
import type { Viewer } from "cesium";
import { Cesium } from "../cesium-global";

/** Dark operations-centre palette for the globe and sky. */
export const BASE_COLOR = "#101a2b";
export const BACKGROUND_COLOR = "#05080f";
/** Globe alpha in underground mode: the ground turns see-through so pipes show. */
const UNDERGROUND_ALPHA = 0.45;

export function createViewer(container: HTMLElement): Viewer {
  Cesium.Ion.defaultAccessToken = "";
  const credits = document.createElement("div");
  credits.style.display = "none";
  const viewer = new Cesium.Viewer(container, {
    baseLayer: false,
    terrainProvider: new Cesium.EllipsoidTerrainProvider(),
    baseLayerPicker: false,
    geocoder: false,
    homeButton: false,
    sceneModePicker: false,
    navigationHelpButton: false,
    animation: false,
    timeline: false,
    fullscreenButton: false,
    infoBox: false,
    selectionIndicator: false,
    vrButton: false,
    projectionPicker: false,
    creditContainer: credits,
    skyBox: false,
    skyAtmosphere: false,
    requestRenderMode: true,
    maximumRenderTimeChange: Number.POSITIVE_INFINITY,
    msaaSamples: 1,
  });
  const scene = viewer.scene;
  scene.backgroundColor = Cesium.Color.fromCssColorString(BACKGROUND_COLOR);
  scene.fog.enabled = false;
  if (scene.sun) scene.sun.show = false;
  if (scene.moon) scene.moon.show = false;
  scene.highDynamicRange = false;
  const globe = scene.globe;
  globe.baseColor = Cesium.Color.fromCssColorString(BASE_COLOR);
  globe.showGroundAtmosphere = false;
  globe.enableLighting = false;
  globe.depthTestAgainstTerrain = true;
  globe.translucency.frontFaceAlpha = UNDERGROUND_ALPHA;
  globe.translucency.backFaceAlpha = UNDERGROUND_ALPHA;
  const controller = scene.screenSpaceCameraController;
  controller.enableCollisionDetection = false;
  controller.minimumZoomDistance = 5;
  controller.maximumZoomDistance = 60_000;
  applyRenderQuality(viewer);
  return viewer;
}

/** Renderer strings of software WebGL (no GPU): SwiftShader, Mesa llvmpipe/softpipe. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software/i;

/** The WebGL renderer's name (UNMASKED_RENDERER_WEBGL where the browser exposes it). */
export function rendererName(viewer: Viewer): string {
  const gl = (viewer.scene as unknown as { context: { _gl: WebGLRenderingContext } }).context._gl;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  return String(gl.getParameter(info === null ? gl.RENDERER : info.UNMASKED_RENDERER_WEBGL));
}

/**
 * On software WebGL every pixel costs CPU: render at half resolution in each direction (a
 * quarter of the pixels) unless the page asks for `?quality=full`. A GPU renders at full
 * resolution. The choice is on `document.documentElement.dataset.renderQuality`.
 */
function applyRenderQuality(viewer: Viewer): void {
  const forced = new URLSearchParams(window.location.search).get("quality");
  const software = SOFTWARE_RENDERER.test(rendererName(viewer));
  const reduced = forced === "reduced" || (software && forced !== "full");
  viewer.resolutionScale = reduced ? 0.5 : 1;
  document.documentElement.dataset.renderQuality = reduced ? "reduced" : "full";
}

/** Underground mode: a see-through ground, and the underground layers shown (hidden otherwise). */
export function setUnderground(viewer: Viewer, on: boolean, layers: readonly { show: boolean }[]): void {
  viewer.scene.globe.translucency.enabled = on;
  for (const layer of layers) layer.show = on;
  viewer.scene.requestRender();
}
