/**
 * Identity scheme v1 (city-code style). Every id is stable, MQTT-topic-safe and
 * InfluxDB-tag-safe: no `/`, `+`, `#`, whitespace or control characters.
 *
 *   asset   {adcode}-{assetType}-{serial}        340111-GVC-00007
 *   device  {assetId}-D{nn}                      340111-GVC-00007-D01
 *   sensor  {deviceId}.{key}                     340111-GVC-00007-D01.ch4
 *
 * `adcode` is the 6-digit GB/T 2260 administrative division code of the district
 * (340111 = Baohe District, Hefei, home of the Binhu new area). `assetType` is a
 * 2–4 letter code from ASSET_TYPES. Local pole-coding standards (e.g. Shenzhen's
 * smart-pole coding) map onto `serial` plus a lookup table; see model/README.md.
 */
import { z } from "zod";

/** Tenant and gateway ids appear as MQTT topic levels: letters, digits, `_` and `-`. */
export const SEGMENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const ASSET_ID = /^\d{6}-[A-Z]{2,4}-\d{5}$/;
export const DEVICE_ID = /^\d{6}-[A-Z]{2,4}-\d{5}-D\d{2}$/;
export const SENSOR_KEY = /^[a-z][a-z0-9_]{0,31}$/;
export const SENSOR_ID = /^\d{6}-[A-Z]{2,4}-\d{5}-D\d{2}\.[a-z][a-z0-9_]{0,31}$/;

export const segmentIdSchema = z.string().regex(SEGMENT_ID, "letters, digits, _ or -, 1-64 chars");
export const assetIdSchema = z.string().regex(ASSET_ID, "asset id {adcode}-{TYPE}-{serial}");
export const deviceIdSchema = z.string().regex(DEVICE_ID, "device id {assetId}-D{nn}");
export const sensorKeySchema = z.string().regex(SENSOR_KEY, "sensor key: lower-case identifier");
export const sensorIdSchema = z.string().regex(SENSOR_ID, "sensor id {deviceId}.{key}");

export function assetId(adcode: string, assetType: string, serial: number): string {
  return `${adcode}-${assetType}-${String(serial).padStart(5, "0")}`;
}

export function deviceId(asset: string, index: number): string {
  return `${asset}-D${String(index).padStart(2, "0")}`;
}

export function sensorId(device: string, key: string): string {
  return `${device}.${key}`;
}

/** Splits a sensor id into its device id and key; returns undefined when malformed. */
export function parseSensorId(id: string): { deviceId: string; key: string } | undefined {
  if (!SENSOR_ID.test(id)) return undefined;
  const dot = id.lastIndexOf(".");
  return { deviceId: id.slice(0, dot), key: id.slice(dot + 1) };
}

/** The asset a device belongs to (device ids embed their asset id). */
export function assetOfDevice(device: string): string {
  return device.slice(0, device.lastIndexOf("-D"));
}

/**
 * NGSI-LD URN export, `urn:ngsi-ld:{Type}:{id}` [ETSI GS CIM 009 §5.5.4], with Smart Data
 * Models type names where they exist (Streetlight, Device, ...).
 */
export function ngsiLdUrn(entityType: string, id: string): string {
  return `urn:ngsi-ld:${entityType}:${id}`;
}
