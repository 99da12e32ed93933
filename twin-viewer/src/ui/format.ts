/** Display formatting of readings: values with their unit label, timestamps in the UI language. */
import { UNITS, sensorKind, type ReadingValue, type UnitCode } from "@citytwin/model";
import { lang } from "./i18n";

export function unitLabel(kind: string): string {
  const unit = sensorKind(kind)?.unit;
  return unit === undefined ? "" : UNITS[unit as UnitCode].label;
}

export function formatValue(value: ReadingValue): string {
  if (value === null) return "—";
  if (typeof value !== "number") return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toFixed(digits);
}

export function formatTime(ts: number, withDate = true): string {
  const d = new Date(ts);
  const locale = lang() === "zh" ? "zh-CN" : "en-GB";
  return withDate
    ? d.toLocaleString(locale, { hour12: false })
    : d.toLocaleTimeString(locale, { hour12: false });
}
