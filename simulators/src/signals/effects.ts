/**
 * How each incident role bends a sensor's baseline inside the incident window
 * [startMs, endMs). Outside the window the baseline is returned untouched.
 * Magnitudes are chosen so that at any severity the primary effect crosses orange or red
 * once the ramp has completed (see test/scenario.test.ts).
 */
import { SENSOR_KINDS, sensorKind } from "@citytwin/model";
import { valueNoise } from "../random";
import { baselineValue, type SensorSeed } from "./baseline";
import type { EffectRole } from "./incidents";

export interface EffectWindow {
  startMs: number;
  endMs: number;
  severity: number;
}

/** Time to full effect: fast for structural and level events, at most 10 s otherwise. */
export function rampMs(role: EffectRole, w: EffectWindow): number {
  const duration = w.endMs - w.startMs;
  if (role === "level_rise") return Math.min(30_000, 0.3 * duration);
  if (role === "stuck" || role === "drift") return 0;
  return Math.min(10_000, 0.2 * duration);
}

export function applyEffect(
  role: EffectRole,
  s: SensorSeed,
  base: number,
  tMs: number,
  w: EffectWindow,
): number {
  const ramp = rampMs(role, w);
  const r = ramp <= 0 ? 1 : Math.min(1, (tMs - w.startMs) / ramp);
  const sev = w.severity;
  const fluct = valueNoise(s.h ^ 0x2545f491, tMs / 3000);
  const weight = 0.95 + 0.1 * s.u;
  switch (role) {
    case "ch4_leak":
      return base + r * (36 + 24 * sev) * (0.85 + 0.15 * fluct);
    case "gas_pressure_drop":
      return Math.max(0, base - r * (60 + 40 * sev) * (0.95 + 0.05 * fluct));
    case "water_pressure_drop":
      return base * (1 - r * (0.55 + 0.3 * sev));
    case "water_flow_surge":
      return base * (1 + r * (2 + 2 * sev));
    case "level_rise":
      return base + r * (3 + 1.5 * sev) * (0.97 + 0.03 * fluct);
    case "strain_rise":
      return base + r * (560 + 200 * sev) * weight;
    case "deflection_rise":
      return base + r * (50 + 20 * sev) * weight;
    case "acceleration_rise":
      return base + r * (0.6 + 0.8 * sev) * (0.75 + 0.25 * fluct);
    case "stuck":
      return baselineValue(s, w.startMs);
    case "drift": {
      const kind = sensorKind(s.kind) ?? SENSOR_KINDS.ch4;
      const sign = kind.thresholds?.direction === "low" ? -1 : 1;
      const total = sev * 0.2 * (kind.max - kind.min);
      return base + (sign * total * (tMs - w.startMs)) / (w.endMs - w.startMs);
    }
  }
}
