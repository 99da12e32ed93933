/**
 * Units are UCUM case-sensitive codes (https://ucum.org). `label` is what a screen shows.
 */
export const UNITS = {
  "%LEL": { label: "%LEL", description: "percent of lower explosive limit" },
  kPa: { label: "kPa", description: "kilopascal" },
  MPa: { label: "MPa", description: "megapascal" },
  "m3/h": { label: "m³/h", description: "cubic metre per hour" },
  m: { label: "m", description: "metre" },
  mm: { label: "mm", description: "millimetre" },
  "ug/m3": { label: "µg/m³", description: "microgram per cubic metre" },
  "dB[A]": { label: "dB(A)", description: "A-weighted decibel (LAeq)" },
  Cel: { label: "°C", description: "degree Celsius" },
  "%": { label: "%", description: "percent" },
  W: { label: "W", description: "watt" },
  kW: { label: "kW", description: "kilowatt" },
  "[uSt]": { label: "µε", description: "microstrain" },
  "m/s2": { label: "m/s²", description: "metre per second squared" },
  "mm/h": { label: "mm/h", description: "millimetre per hour (rain intensity)" },
  deg: { label: "°", description: "degree of arc (tilt)" },
  "1": { label: "", description: "dimensionless (state, count, flag)" },
} as const;

export type UnitCode = keyof typeof UNITS;
export const UNIT_CODES = Object.keys(UNITS) as UnitCode[];
