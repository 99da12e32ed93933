/**
 * CesiumJS is loaded as a classic script (`cesium/Cesium.js`, copied from the cesium package at
 * build time) and exposes the global `Cesium`. Only types come from the npm package, so Vite never
 * bundles Cesium. Modules import the namespace from here: `import { Cesium } from "./cesium-global"`,
 * and types with `import type { Viewer } from "cesium"`. Module scripts run after classic ones, so
 * the global is set by the time this module evaluates.
 */
import type * as CesiumType from "cesium";

declare global {
  interface Window {
    Cesium?: typeof CesiumType;
    CESIUM_BASE_URL?: string;
  }
}

function load(): typeof CesiumType {
  const ns = window.Cesium;
  if (ns === undefined) throw new Error("Cesium.js did not load (expected ./cesium/Cesium.js)");
  return ns;
}

export const Cesium: typeof CesiumType = load();
