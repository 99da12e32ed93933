/**
 * The deployment's own raster base map (viewer config `basemap`): XYZ and TMS through
 * UrlTemplateImageryProvider (TMS counts rows from the south: `{y}` becomes `{reverseY}`), WMTS
 * through WebMapTileServiceImageryProvider. URLs come from the gateway's config and are relative
 * to the page or point at the deployment's own tile server; no online provider is ever added.
 */
import type { ImageryLayer, ImageryProvider, Viewer } from "cesium";
import type { Basemap } from "@citytwin/model";
import { Cesium } from "../../cesium-global";

/** Absolute URL of a template, keeping `{z}`-style placeholders unescaped. */
function absoluteTemplate(template: string): string {
  return new URL(template, document.baseURI).href.replace(/%7B/gi, "{").replace(/%7D/gi, "}");
}

export function basemapProvider(basemap: Basemap): ImageryProvider {
  const credit = basemap.credit === undefined ? undefined : new Cesium.Credit(basemap.credit);
  if (basemap.type === "wmts")
    return new Cesium.WebMapTileServiceImageryProvider({
      url: absoluteTemplate(basemap.url),
      layer: basemap.layer,
      style: basemap.style,
      format: basemap.format,
      tileMatrixSetID: basemap.tileMatrixSetID,
      maximumLevel: basemap.maxZoom,
      credit,
    });
  const url = basemap.type === "tms" ? basemap.url.replace(/\{y\}/g, "{reverseY}") : basemap.url;
  return new Cesium.UrlTemplateImageryProvider({
    url: absoluteTemplate(url),
    maximumLevel: basemap.maxZoom,
    credit,
  });
}

/** Adds the base map on top of the existing imagery layers (the globe colour shows through gaps). */
export function addBasemap(viewer: Viewer, basemap: Basemap): ImageryLayer {
  const layer = viewer.imageryLayers.addImageryProvider(basemapProvider(basemap));
  viewer.scene.requestRender();
  return layer;
}
