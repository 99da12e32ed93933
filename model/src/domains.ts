/**
 * Domains of the city's lifeline. Each domain is one InfluxDB measurement
 * (see gateway/README.md, "InfluxDB schema").
 */
import { z } from "zod";

export const DOMAINS = ["gas", "water", "drainage", "bridge", "pole", "environment"] as const;
export type Domain = (typeof DOMAINS)[number];
export const domainSchema = z.enum(DOMAINS);

/**
 * Asset types: the 2–4 letter code used in asset ids, the domain, and the
 * NGSI-LD entity type for export (Smart Data Models names where one exists).
 */
export const ASSET_TYPES = {
  GPS: { domain: "gas", ngsiType: "GasPipeSegment", en: "Gas pipe segment", zh: "燃气管段" },
  GVC: { domain: "gas", ngsiType: "UndergroundSpace", en: "Gas valve chamber", zh: "燃气阀门井" },
  MH: { domain: "gas", ngsiType: "UndergroundSpace", en: "Manhole (adjacent space)", zh: "相邻地下空间窨井" },
  WMN: { domain: "water", ngsiType: "WaterMain", en: "Water main", zh: "供水干管" },
  DWL: { domain: "drainage", ngsiType: "DrainageWell", en: "Drainage well", zh: "排水检查井" },
  DOF: { domain: "drainage", ngsiType: "DrainageOutfall", en: "Drainage outfall", zh: "排水口" },
  BRG: {
    domain: "bridge",
    ngsiType: "BridgeMonitoringStation",
    en: "Bridge SHM station",
    zh: "桥梁健康监测站",
  },
  SPL: { domain: "pole", ngsiType: "Streetlight", en: "Smart pole", zh: "多功能智能杆" },
} as const satisfies Record<string, { domain: Domain; ngsiType: string; en: string; zh: string }>;

export type AssetType = keyof typeof ASSET_TYPES;
export const ASSET_TYPE_CODES = Object.keys(ASSET_TYPES) as AssetType[];
export const assetTypeSchema = z.enum(ASSET_TYPE_CODES as [AssetType, ...AssetType[]]);
