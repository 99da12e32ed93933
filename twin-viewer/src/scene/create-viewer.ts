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
  return viewer;
}

/** Underground mode: a see-through ground, and the underground layers shown (hidden otherwise). */
export function setUnderground(viewer: Viewer, on: boolean, layers: readonly { show: boolean }[]): void {
  viewer.scene.globe.translucency.enabled = on;
  for (const layer of layers) layer.show = on;
  viewer.scene.requestRender();
}
