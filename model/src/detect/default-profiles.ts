/**
 * Default detector profiles per sensor kind. Sources and reasoning per number are in
 * docs/alarm-defaults.md; in short:
 *  - value thresholds are SENSOR_KINDS' (ch4: GB/T 50493-2019 first alarm ≤ 25 %LEL → orange
 *    25, second ≤ 50 %LEL → red 50); hysteresis ≈ the sensor's accuracy class;
 *  - rate bounds sit well above the fastest normal change over the 10 s window (noise and
 *    the steepest daily ramp) and well below incident rates;
 *  - baseline spreads are floored at the transmitter's accuracy (so a quiet signal cannot
 *    make a tiny move look like 6σ);
 *  - seasonal baselines only for kinds that follow demand (pressures, flow) or traffic
 *    (strain, deflection, noise);
 *  - stuck run lengths make a false "stuck" rarer than 0.1 per 1,000 sensor-days for the
 *    kind's noise at its transmitted resolution.
 */
import type { LevelThresholds } from "../levels";
import { sensorKind } from "../sensor-kinds";
import type {
  BaselineProfile,
  DeviationDirection,
  RateProfile,
  SeasonalProfile,
  SensorProfile,
  StuckProfile,
} from "./profile";

const DAY_MS = 86_400_000;

function rate(hysteresis: number, levels?: Omit<LevelThresholds, "direction">, fall = false): RateProfile {
  return {
    ...(levels === undefined ? {} : { levels: { direction: fall ? "low" : "high", ...levels } }),
    windowMs: 10_000,
    minSpanMs: 8_000,
    hysteresis,
    holdMs: 60_000,
    fluctuationHalfLifeMs: 10_000,
  };
}

const DEVIATION = {
  levels: { blue: 6, yellow: 10, orange: 20 },
  hysteresisZ: 1.5,
  holdMs: 10_000,
  clipZ: 4,
  rebaseAfterMs: 3_600_000,
};

function baseline(direction: DeviationDirection, minSpread: number, minSpreadRel = 0): BaselineProfile {
  return {
    ...DEVIATION,
    direction,
    minSpread,
    minSpreadRel,
    halfLifeMs: 600_000,
    warmupMs: 300_000,
    warmupReadings: 30,
    resetAfterMs: 1_800_000,
  };
}

function seasonal(direction: DeviationDirection, minSpread: number, minSpreadRel = 0): SeasonalProfile {
  return {
    ...DEVIATION,
    direction,
    minSpread,
    minSpreadRel,
    buckets: 24,
    memoryDays: 3,
    learnHalfLifeMs: 900_000,
    warmupMs: DAY_MS,
    utcOffsetMin: 480,
  };
}

function stuck(afterReadings: number, restValue?: number): StuckProfile {
  return {
    epsilon: 0,
    afterReadings,
    afterMs: 5_000,
    level: "blue",
    ...(restValue === undefined ? {} : { restValue }),
  };
}

type KindDefaults = Omit<SensorProfile, "kind" | "min" | "max" | "impossible" | "missing" | "threshold"> & {
  /** Hysteresis of the value thresholds (SENSOR_KINDS); absent: no value thresholds. */
  hysteresis?: number;
};

/** Per-kind choices; value thresholds and the range come from SENSOR_KINDS. */
export const KIND_DEFAULTS: Readonly<Record<string, KindDefaults>> = {
  ch4: {
    hysteresis: 2,
    rate: rate(2, { blue: 5, yellow: 10, orange: 20, red: 40 }),
    baseline: baseline("high", 1),
    stuck: stuck(8, 0),
  },
  gas_pressure: {
    hysteresis: 5,
    rate: rate(5, { blue: -15, yellow: -30, orange: -60, red: -120 }, true),
    baseline: baseline("low", 2),
    seasonal: seasonal("low", 2),
    stuck: stuck(15),
  },
  water_pressure: {
    hysteresis: 10,
    rate: rate(10, { blue: -60, yellow: -120, orange: -240, red: -480 }, true),
    baseline: baseline("low", 5),
    seasonal: seasonal("low", 5),
    stuck: stuck(8),
  },
  water_flow: {
    rate: rate(0),
    baseline: baseline("high", 1, 0.05),
    seasonal: seasonal("high", 1, 0.05),
    stuck: stuck(8),
  },
  water_level: {
    hysteresis: 0.1,
    rate: rate(0.1, { blue: 0.3, yellow: 0.6, orange: 1.2, red: 2.4 }),
    baseline: baseline("high", 0.02),
    stuck: stuck(15),
  },
  strain: {
    hysteresis: 20,
    rate: rate(0),
    baseline: baseline("high", 10),
    seasonal: seasonal("high", 10),
    stuck: stuck(8),
  },
  deflection: {
    hysteresis: 2,
    rate: rate(0),
    baseline: baseline("high", 1),
    seasonal: seasonal("high", 1),
    stuck: stuck(8),
  },
  acceleration: { hysteresis: 0.05, rate: rate(0), baseline: baseline("high", 0.05), stuck: stuck(8) },
  pm25: { hysteresis: 10, rate: rate(0), stuck: stuck(24) },
  noise_laeq: { hysteresis: 2, rate: rate(0), seasonal: seasonal("high", 1.5), stuck: stuck(12) },
  temperature: { hysteresis: 0.5, rate: rate(0), stuck: stuck(36) },
  lamp_power: {},
  lamp_dimming: {},
  // Pole devices: states and events hold a value for hours, so no stuck/rate detectors.
  lamp_on: {},
  pm10: { hysteresis: 15, rate: rate(0), stuck: stuck(24) },
  humidity: { rate: rate(0), stuck: stuck(36) },
  ev_state: {},
  ev_power: {},
  sos_button: { hysteresis: 0 },
  tilt: { hysteresis: 0.2 },
};

/** The default profile of a kind; unknown kinds get range and liveness checks only. */
export function defaultSensorProfile(kind: string): SensorProfile {
  const k = sensorKind(kind);
  const d = KIND_DEFAULTS[kind] ?? {};
  const { hysteresis, ...sections } = d;
  const profile: SensorProfile = {
    kind,
    min: k?.min ?? -Number.MAX_VALUE,
    max: k?.max ?? Number.MAX_VALUE,
    impossible: { level: "yellow", clearAfterReadings: 3 },
    missing: { afterIntervals: 5, minMs: 10_000, level: "blue" },
    ...sections,
  };
  if (k?.thresholds !== undefined && hysteresis !== undefined)
    profile.threshold = { levels: k.thresholds, hysteresis, holdMs: 10_000 };
  return profile;
}
