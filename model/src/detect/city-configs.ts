/**
 * Per-sensor detector configs for a whole city (what the engine builds once at start).
 */
import type { CityModel, Sensor } from "../city";
import { defaultSensorProfile } from "./default-profiles";
import { applyOverride, type ProfileOverride } from "./profile";
import { resolveSensorConfig, type SensorConfig } from "./sensor-stack";

/**
 * Each sensor's config: default profile of its kind, then the kind's and the sensor's
 * overrides, fitted to its device's interval. Sensors without an override of their own
 * share one config per (kind, interval).
 */
export function resolveCityConfigs(
  city: CityModel,
  kindProfiles: Readonly<Record<string, ProfileOverride>> | undefined,
  sensorProfiles: Readonly<Record<string, ProfileOverride>> | undefined,
): SensorConfig[] {
  const interval = new Map(city.devices.map((d) => [d.id, d.intervalMs]));
  const shared = new Map<string, SensorConfig>();
  const resolve = (s: Sensor, intervalMs: number, own: ProfileOverride | undefined) =>
    resolveSensorConfig(
      applyOverride(applyOverride(defaultSensorProfile(s.kind), kindProfiles?.[s.kind]), own),
      intervalMs,
    );
  return city.sensors.map((s) => {
    const intervalMs = interval.get(s.deviceId) ?? 1000;
    const own = sensorProfiles?.[s.id];
    if (own !== undefined) return resolve(s, intervalMs, own);
    const key = `${s.kind}@${intervalMs}`;
    const config = shared.get(key) ?? resolve(s, intervalMs, undefined);
    shared.set(key, config);
    return config;
  });
}
