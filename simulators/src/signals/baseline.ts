/**
 * Normal-operation signals per sensor kind: daily cycle + slow wander + per-second noise,
 * deterministic in (sensor, time). Every value stays inside its kind's normal band (below
 * blue for "high" thresholds, above blue for "low" ones); test/signals.test.ts checks this
 * over a simulated day.
 */
import { hash01, valueNoise } from "../random";
import { clamp01, daytime, demand, localHour, traffic } from "./daily";

/** Per-sensor constants, derived once from the sensor id. */
export interface SensorSeed {
  kind: string;
  /** Hash of the sensor id. */
  h: number;
  /** Hash of the asset id: sensors of one asset share traffic pulses and lamp state. */
  asset: number;
  /** Per-sensor constant in [0, 1). */
  u: number;
}

const WANDER_PERIOD_MS = 600_000;

export function baselineValue(s: SensorSeed, tMs: number): number {
  const sec = Math.floor(tMs / 1000);
  const noise = hash01(s.h, sec) * 2 - 1;
  const wander = valueNoise(s.h ^ 0x5bd1e995, tMs / WANDER_PERIOD_MS);
  const hour = localHour(tMs);
  const off = s.u * 2 - 1;
  switch (s.kind) {
    case "ch4":
      return Math.max(0, 0.6 + 0.5 * s.u + 0.45 * wander + 0.1 * noise);
    case "gas_pressure":
      return 205 + 6 * off - 6 * demand(hour) + 2 * wander + 0.5 * noise;
    case "water_pressure":
      return 335 + 12 * off - 45 * demand(hour) - 6 * wander + 2 * noise;
    case "water_flow":
      return (120 + 280 * s.u) * (0.35 + 0.9 * demand(hour)) * (1 + 0.05 * wander + 0.02 * noise);
    case "water_level":
      return 0.42 + 0.07 * off + 0.05 * wander + 0.04 * demand(hour) + 0.004 * noise;
    case "strain":
      return 120 + 15 * off + 45 * traffic(hour) * (0.7 + 0.3 * wander) + 25 * truck(s, sec) + 4 * noise;
    case "deflection":
      return 7 + off + 4 * traffic(hour) * (0.7 + 0.3 * wander) + 3 * truck(s, sec) + 0.3 * noise;
    case "acceleration":
      return 0.05 + 0.09 * traffic(hour) * (0.5 + 0.5 * Math.abs(noise)) + 0.05 * truck(s, sec);
    case "pm25":
      return Math.max(3, 22 + 12 * s.u + 22 * traffic(hour) + 8 * wander + 2 * noise);
    case "noise_laeq":
      return 45 + 11 * daytime(hour) + 8 * traffic(hour) + 1.5 * wander + noise;
    case "temperature":
      return 15 + 6 * Math.sin((2 * Math.PI * (hour - 9)) / 24) + 2 * weather(tMs) + 0.5 * off + 0.15 * noise;
    case "pm10":
      return Math.max(5, 38 + 18 * s.u + 30 * traffic(hour) + 12 * wander + 3 * noise);
    case "humidity": {
      // Relative humidity falls as the shared weather warms the afternoon.
      const rh =
        62 - 14 * Math.sin((2 * Math.PI * (hour - 9)) / 24) - 5 * weather(tMs) + 3 * off + 0.3 * noise;
      return Math.min(100, Math.max(0, rh));
    }
    case "lamp_on":
      return lampDimming(s, hour) > 0 ? 1 : 0;
    case "ev_state":
    case "ev_power":
      return evCharger(s, tMs, hour, noise);
    case "sos_button":
      return 0;
    case "tilt":
      return 0.15 + 0.25 * s.u + 0.02 * wander + 0.005 * noise;
    case "lamp_dimming":
      return lampDimming(s, hour);
    case "lamp_power": {
      const dim = lampDimming(s, hour);
      if (dim === 0) return 0;
      const rated = 120 + 30 * hash01(s.asset, 7);
      return rated * (0.3 + (0.7 * dim) / 100) * (1 + 0.01 * noise);
    }
    default:
      return 0;
  }
}

/** One weather for the district: a slow wander keyed by a constant, not by the sensor. */
function weather(tMs: number): number {
  return valueNoise(0x7e3779b9, tMs / 3_600_000 / 3);
}

/**
 * The pole's EV charger (state and power share the asset hash): 30-min slots, a car in more
 * slots by day; it charges for the first 20 min, then Finishing (plugged, done).
 * State codes are EV_STATE_CODES (OCPP 1.6): 0 Available, 2 Charging, 5 Finishing.
 */
function evCharger(s: SensorSeed, tMs: number, hour: number, noise: number): number {
  const SLOT_MS = 1_800_000;
  const slot = Math.floor(tMs / SLOT_MS);
  const occupied = hash01(s.asset, slot) < 0.1 + 0.4 * daytime(hour);
  const charging = occupied && tMs - slot * SLOT_MS < 1_200_000;
  if (s.kind === "ev_state") return charging ? 2 : occupied ? 5 : 0;
  return charging ? (6.6 + 0.4 * hash01(s.asset, 11)) * (1 + 0.01 * noise) : 0;
}

/** A heavy vehicle on the bridge this second (shared by all sensors of the station). */
function truck(s: SensorSeed, sec: number): number {
  return hash01(s.asset, sec) > 0.93 ? 1 : 0;
}

/** Lamp schedule: on at dusk (≈18:30) at 100 %, 50 % after midnight, off at dawn (≈06:00). */
function lampDimming(s: SensorSeed, hour: number): number {
  const jitter = (hash01(s.asset, 3) - 0.5) * 0.3;
  const on = hour >= 18.5 + jitter || hour < 6 + jitter;
  if (!on) return 0;
  return hour >= 12 ? 100 : 50;
}

export { clamp01 };
