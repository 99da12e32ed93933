/**
 * The city model: the district's ground, buildings, underground networks, assets,
 * devices and sensors. Produced by the simulators (seeded) or imported from a
 * deployment's own data; served by the gateway at GET /api/city; drawn by the viewer.
 *
 * Coordinates are WGS84 [longitude, latitude] in degrees. Heights are metres relative to
 * local ground level: positive above ground, negative below (pipe and node depth).
 */
import { z } from "zod";
import { assetIdSchema, deviceIdSchema, segmentIdSchema, sensorIdSchema, sensorKeySchema } from "./ids";
import { assetTypeSchema, domainSchema } from "./domains";

const lonLat = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
const lonLatH = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90), z.number()]);
export type LonLat = z.infer<typeof lonLat>;
export type LonLatH = z.infer<typeof lonLatH>;

export const hierarchySchema = z.object({
  city: z.string(),
  district: z.string(),
  street: z.string(),
  grid: z.string(),
});
export type Hierarchy = z.infer<typeof hierarchySchema>;

export const ownerSchema = z.object({
  org: z.string(),
  person: z.string(),
  phone: z.string(),
});
export type Owner = z.infer<typeof ownerSchema>;

export const streetSchema = z.object({
  id: z.string(),
  name: z.string(),
  nameZh: z.string(),
  class: z.enum(["arterial", "secondary", "local"]),
  widthM: z.number().positive(),
  path: z.array(lonLat).min(2),
});

export const areaSchema = z.object({
  id: z.string(),
  kind: z.enum(["water", "green", "plaza"]),
  name: z.string(),
  ring: z.array(lonLat).min(3),
});

export const buildingSchema = z.object({
  id: z.string(),
  use: z.enum(["residential", "office", "commercial", "public", "industrial"]),
  heightM: z.number().positive(),
  footprint: z.array(lonLat).min(3),
});

export const networkSchema = z.enum(["gas", "water", "drainage"]);
export type Network = z.infer<typeof networkSchema>;

export const pipeSchema = z.object({
  id: z.string(),
  network: networkSchema,
  diameterMm: z.number().positive(),
  material: z.string(),
  /** Centre line with depth (negative height) at each vertex. */
  path: z.array(lonLatH).min(2),
});

export const networkNodeSchema = z.object({
  id: z.string(),
  network: networkSchema,
  kind: z.enum(["junction", "valve_chamber", "manhole", "drainage_well", "outfall", "source"]),
  position: lonLatH,
});

export const bridgeSchema = z.object({
  id: z.string(),
  name: z.string(),
  nameZh: z.string(),
  /** Deck centre line at deck height. */
  deck: z.array(lonLatH).min(2),
  widthM: z.number().positive(),
  spanCount: z.number().int().positive(),
});

export const assetSchema = z.object({
  id: assetIdSchema,
  type: assetTypeSchema,
  name: z.string(),
  nameZh: z.string(),
  position: lonLatH,
  hierarchy: hierarchySchema,
  owner: ownerSchema,
  gatewayId: segmentIdSchema,
  /** The pipe, network node or bridge this asset instruments, if any. */
  ref: z.string().optional(),
});
export type Asset = z.infer<typeof assetSchema>;

export const PROTOCOLS = ["modbus-tcp", "opcua", "mqtt-pole"] as const;
export const protocolSchema = z.enum(PROTOCOLS);
export type Protocol = z.infer<typeof protocolSchema>;

export const deviceSchema = z.object({
  id: deviceIdSchema,
  assetId: assetIdSchema,
  gatewayId: segmentIdSchema,
  protocol: protocolSchema,
  model: z.string(),
  /** Expected reporting interval; a sensor not heard from in 3× this is stale. */
  intervalMs: z.number().int().positive(),
});
export type Device = z.infer<typeof deviceSchema>;

export const sensorSchema = z.object({
  id: sensorIdSchema,
  deviceId: deviceIdSchema,
  assetId: assetIdSchema,
  /** Key within the device: the kind, or kind_n when a device has several of one kind. */
  key: sensorKeySchema,
  /** Key into SENSOR_KINDS (unit, range, default thresholds). */
  kind: z.string(),
  domain: domainSchema,
  position: lonLatH,
});
export type Sensor = z.infer<typeof sensorSchema>;

export const gatewaySchema = z.object({
  id: segmentIdSchema,
  name: z.string(),
  position: lonLatH,
});

export const cityModelSchema = z.object({
  schema: z.literal("citytwin.city/v1"),
  seed: z.number().int(),
  tenant: segmentIdSchema,
  city: z.object({ name: z.string(), nameZh: z.string(), adcode: z.string().regex(/^\d{6}$/) }),
  district: z.object({
    name: z.string(),
    nameZh: z.string(),
    adcode: z.string().regex(/^\d{6}$/),
    center: lonLat,
    /** [west, south, east, north] */
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  }),
  gateways: z.array(gatewaySchema),
  streets: z.array(streetSchema),
  areas: z.array(areaSchema),
  buildings: z.array(buildingSchema),
  pipes: z.array(pipeSchema),
  nodes: z.array(networkNodeSchema),
  bridges: z.array(bridgeSchema),
  assets: z.array(assetSchema),
  devices: z.array(deviceSchema),
  sensors: z.array(sensorSchema),
  /**
   * English for Chinese proper names used in `hierarchy` and `owner` (zh → en); a viewer in
   * English shows the English name where there is one.
   */
  glossary: z.record(z.string(), z.string()).optional(),
});
export type CityModel = z.infer<typeof cityModelSchema>;
export type Street = z.infer<typeof streetSchema>;
export type Area = z.infer<typeof areaSchema>;
export type Building = z.infer<typeof buildingSchema>;
export type Pipe = z.infer<typeof pipeSchema>;
export type NetworkNode = z.infer<typeof networkNodeSchema>;
export type Bridge = z.infer<typeof bridgeSchema>;
export type GatewayInfo = z.infer<typeof gatewaySchema>;
