/**
 * HTTP API shapes the twin viewer needs beyond readings and alarms (gateway ↔ viewer contract).
 *
 *   GET  /api/session                 SessionInfo: who the bearer token is (demo mode: admin "demo")
 *   GET  /api/replay?at=<ms>          ReplaySnapshot: every sensor's last reading at or before `at`
 *   GET  /api/viewer-config           ViewerConfig: base map and bring-your-own-city layers
 *   POST /api/alarms/{id}/incident    Incident: opens (or joins) an incident for an alarm (operator)
 *
 * Replay reads the hot store while it still holds `at`; earlier than that it asks InfluxDB
 * (`source: "influxdb"`), where the level is recomputed from the sensor kind's thresholds
 * because InfluxDB stores value and quality only.
 */
import { z } from "zod";
import { roleSchema } from "./alarm";
import { liveReadingSchema } from "./live";

export const sessionInfoSchema = z.object({
  /** Operator name from the token (`<name>.<secret>`); "demo" in demo mode. */
  name: z.string(),
  role: roleSchema,
  mode: z.enum(["secure", "demo"]),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const replaySnapshotSchema = z.object({
  at: z.number(),
  source: z.enum(["hot", "influxdb"]),
  /** Oldest instant the hot store can replay (ms); earlier instants come from InfluxDB if configured. */
  hotFrom: z.number().optional(),
  /** [sensorId, ts, value, quality, level] with ts ≤ at, the newest per sensor; sensors with none are absent. */
  readings: z.array(liveReadingSchema),
});
export type ReplaySnapshot = z.infer<typeof replaySnapshotSchema>;

/** A raster base map a deployment serves itself. `{z}/{x}/{y}` (XYZ, TMS) or WMTS KVP/REST template. */
export const basemapSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.enum(["xyz", "tms"]),
    url: z.string().min(1),
    maxZoom: z.number().int().min(0).max(24).default(19),
    credit: z.string().optional(),
  }),
  z.object({
    type: z.literal("wmts"),
    url: z.string().min(1),
    layer: z.string().min(1),
    tileMatrixSetID: z.string().min(1),
    style: z.string().default("default"),
    format: z.string().default("image/png"),
    maxZoom: z.number().int().min(0).max(24).default(19),
    credit: z.string().optional(),
  }),
]);
export type Basemap = z.infer<typeof basemapSchema>;

/**
 * Bring your own city. Sensors bind to features through their asset id: the feature property
 * named `idProperty` (3D Tiles batch/metadata property, GeoJSON `properties` key) holds an
 * asset id of the city model, so clicking the feature selects the asset and alarms colour it.
 */
export const byoLayerSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("3dtiles"),
    /** tileset.json URL (relative URLs resolve against the viewer page). */
    url: z.string().min(1),
    idProperty: z.string().min(1).default("assetId"),
    name: z.string().optional(),
  }),
  z.object({
    type: z.literal("geojson"),
    url: z.string().min(1),
    /** buildings: polygons extruded by `heightProperty`; network: lines at `depthProperty` (m, negative below ground). */
    role: z.enum(["buildings", "network", "assets"]),
    idProperty: z.string().min(1).default("assetId"),
    heightProperty: z.string().default("height"),
    depthProperty: z.string().default("depth"),
    name: z.string().optional(),
  }),
]);
export type ByoLayer = z.infer<typeof byoLayerSchema>;

export const viewerConfigSchema = z.object({
  basemap: basemapSchema.optional(),
  /** Draw the city model's generated streets/buildings too (false when a BYO layer replaces them). */
  drawModelBuildings: z.boolean().default(true),
  layers: z.array(byoLayerSchema).default([]),
});
export type ViewerConfig = z.infer<typeof viewerConfigSchema>;
