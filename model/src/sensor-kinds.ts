/**
 * The catalogue of sensor kinds: what a sensor key means, its UCUM unit, its domain,
 * the physically possible range and default four-level thresholds.
 *
 * Threshold sources (defaults; deployments override per asset):
 *  - ch4 %LEL: GB/T 50493-2019 puts the first combustible-gas alarm at ≤ 25 %LEL and the second
 *    at ≤ 50 %LEL → orange 25, red 50; blue/yellow are early-warning steps below the first alarm.
 *  - pm25: China HJ 633-2012 AQI breakpoints 75/115/150/250 µg/m³ (light/moderate/heavy/severe).
 *  - noise_laeq: GB 3096-2008 class 4a daytime limit 70 dB(A), then +5 dB steps.
 *  - temperature: China Meteorological Administration heat warnings, yellow 35, orange 37, red 40 °C.
 *  - pm10: HJ 633-2012 IAQI breakpoints 150/250/350/420 µg/m³ (24 h; light/moderate/heavy/
 *    severe), the same IAQI 100/150/200/300 steps as pm25.
 *  - tilt: engineering default. A new pole is set plumb within a few per mille of its height
 *    (≈ 0.2–0.3°); blue 1°, yellow 2°, orange 3°, red 5° flag a pole leaning well past any
 *    installation error (foundation settlement, vehicle strike, wind damage).
 *  - sos_button: an emergency-call press (1) is red at once; 0 otherwise.
 *  - Pressure, level and structural bounds are engineering defaults for the demo district
 *    (nominal operating point minus/plus 10/20/30/50 %); see docs/alarm-defaults.md.
 */
import type { Domain } from "./domains";
import type { LevelThresholds } from "./levels";
import type { UnitCode } from "./units";

export interface SensorKind {
  key: string;
  domain: Domain;
  unit: UnitCode;
  en: string;
  zh: string;
  /** Physically possible range; values outside are impossible (bad sensor, wrong scaling). */
  min: number;
  max: number;
  thresholds?: LevelThresholds;
}

function kind(k: SensorKind): SensorKind {
  return k;
}

export const SENSOR_KINDS = {
  ch4: kind({
    key: "ch4",
    domain: "gas",
    unit: "%LEL",
    en: "Methane",
    zh: "甲烷浓度",
    min: 0,
    max: 100,
    thresholds: { direction: "high", blue: 10, yellow: 20, orange: 25, red: 50 },
  }),
  gas_pressure: kind({
    key: "gas_pressure",
    domain: "gas",
    unit: "kPa",
    en: "Gas pressure",
    zh: "燃气管道压力",
    min: 0,
    max: 1600,
    thresholds: { direction: "low", blue: 180, yellow: 160, orange: 140, red: 100 },
  }),
  water_pressure: kind({
    key: "water_pressure",
    domain: "water",
    unit: "kPa",
    en: "Water pressure",
    zh: "供水压力",
    min: 0,
    max: 1600,
    thresholds: { direction: "low", blue: 250, yellow: 220, orange: 180, red: 140 },
  }),
  water_flow: kind({
    key: "water_flow",
    domain: "water",
    unit: "m3/h",
    en: "Water flow",
    zh: "供水流量",
    min: 0,
    max: 20000,
  }),
  water_level: kind({
    key: "water_level",
    domain: "drainage",
    unit: "m",
    en: "Water level in well",
    zh: "井内液位",
    min: 0,
    max: 10,
    thresholds: { direction: "high", blue: 1.5, yellow: 2.0, orange: 2.5, red: 3.0 },
  }),
  strain: kind({
    key: "strain",
    domain: "bridge",
    unit: "[uSt]",
    en: "Strain",
    zh: "应变",
    min: -3000,
    max: 3000,
    thresholds: { direction: "high", blue: 300, yellow: 400, orange: 500, red: 600 },
  }),
  deflection: kind({
    key: "deflection",
    domain: "bridge",
    unit: "mm",
    en: "Deflection",
    zh: "挠度",
    min: -500,
    max: 500,
    thresholds: { direction: "high", blue: 20, yellow: 30, orange: 40, red: 50 },
  }),
  acceleration: kind({
    key: "acceleration",
    domain: "bridge",
    unit: "m/s2",
    en: "Vertical acceleration",
    zh: "竖向加速度",
    min: -50,
    max: 50,
    thresholds: { direction: "high", blue: 0.5, yellow: 0.8, orange: 1.2, red: 2.0 },
  }),
  pm25: kind({
    key: "pm25",
    domain: "environment",
    unit: "ug/m3",
    en: "PM2.5",
    zh: "PM2.5",
    min: 0,
    max: 2000,
    thresholds: { direction: "high", blue: 75, yellow: 115, orange: 150, red: 250 },
  }),
  noise_laeq: kind({
    key: "noise_laeq",
    domain: "environment",
    unit: "dB[A]",
    en: "Noise LAeq",
    zh: "噪声等效声级",
    min: 20,
    max: 140,
    thresholds: { direction: "high", blue: 70, yellow: 75, orange: 80, red: 85 },
  }),
  temperature: kind({
    key: "temperature",
    domain: "environment",
    unit: "Cel",
    en: "Air temperature",
    zh: "气温",
    min: -40,
    max: 60,
    thresholds: { direction: "high", yellow: 35, orange: 37, red: 40 },
  }),
  lamp_power: kind({
    key: "lamp_power",
    domain: "pole",
    unit: "W",
    en: "Lamp power",
    zh: "灯具功率",
    min: 0,
    max: 1000,
  }),
  lamp_dimming: kind({
    key: "lamp_dimming",
    domain: "pole",
    unit: "%",
    en: "Lamp dimming",
    zh: "调光比",
    min: 0,
    max: 100,
  }),
  lamp_on: kind({
    key: "lamp_on",
    domain: "pole",
    unit: "1",
    en: "Lamp on/off",
    zh: "灯具开关状态",
    min: 0,
    max: 1,
  }),
  pm10: kind({
    key: "pm10",
    domain: "environment",
    unit: "ug/m3",
    en: "PM10",
    zh: "PM10",
    min: 0,
    max: 2000,
    thresholds: { direction: "high", blue: 150, yellow: 250, orange: 350, red: 420 },
  }),
  humidity: kind({
    key: "humidity",
    domain: "environment",
    unit: "%",
    en: "Relative humidity",
    zh: "相对湿度",
    min: 0,
    max: 100,
  }),
  ev_state: kind({
    key: "ev_state",
    domain: "pole",
    unit: "1",
    en: "EV charger state (see EV_STATE_CODES)",
    zh: "充电桩状态",
    min: 0,
    max: 8,
  }),
  ev_power: kind({
    key: "ev_power",
    domain: "pole",
    unit: "kW",
    en: "EV charging power",
    zh: "充电功率",
    min: 0,
    max: 400,
  }),
  sos_button: kind({
    key: "sos_button",
    domain: "pole",
    unit: "1",
    en: "Emergency call button",
    zh: "一键报警",
    min: 0,
    max: 1,
    thresholds: { direction: "high", red: 1 },
  }),
  tilt: kind({
    key: "tilt",
    domain: "pole",
    unit: "deg",
    en: "Pole tilt",
    zh: "杆体倾角",
    min: 0,
    max: 90,
    thresholds: { direction: "high", blue: 1, yellow: 2, orange: 3, red: 5 },
  }),
} as const satisfies Record<string, SensorKind>;

/**
 * `ev_state` codes: the connector status of OCPP 1.6 StatusNotification (ChargePointStatus),
 * numbered in the order the standard lists them.
 */
export const EV_STATE_CODES = {
  0: "Available",
  1: "Preparing",
  2: "Charging",
  3: "SuspendedEVSE",
  4: "SuspendedEV",
  5: "Finishing",
  6: "Reserved",
  7: "Unavailable",
  8: "Faulted",
} as const;

export type SensorKindKey = keyof typeof SENSOR_KINDS;
export const SENSOR_KIND_KEYS = Object.keys(SENSOR_KINDS) as SensorKindKey[];

export function sensorKind(key: string): SensorKind | undefined {
  return (SENSOR_KINDS as Record<string, SensorKind>)[key];
}

/** The kind of a sensor key: `strain_2` → `strain`; `noise_laeq` → `noise_laeq`. */
export function kindOfKey(key: string): string {
  return key.replace(/_\d+$/, "");
}
