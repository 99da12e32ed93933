/**
 * Words for conditions, in English and Chinese. Built only when a level changes (never per
 * reading), so string work stays off the hot path.
 */
import { LEVEL_LABELS } from "../levels";
import type { DetectorName, Explanation } from "./condition";
import { levelName } from "./level-latch";
import type { SensorConfig, SensorState } from "./sensor-stack";
import { boundOf } from "./threshold";

/** Up to 4 significant digits, no exponent for everyday magnitudes. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number(x.toPrecision(4)).toString();
}

function levelWords(rank: number): { en: string; zh: string } {
  const l = LEVEL_LABELS[levelName(rank)];
  return { en: l.en.toLowerCase(), zh: l.zh };
}

/** Explanation of a single-sensor detector's new level. */
export function explainSensor(
  d: DetectorName,
  c: SensorConfig,
  st: SensorState,
  rank: number,
  value: number,
): Explanation {
  const u = c.unit;
  const v = fmt(value);
  const L = levelWords(rank);
  if (rank === 0) {
    return { en: `${c.en} back to normal (${d}), ${v} ${u}`, zh: `${c.zh}恢复正常（${d}），当前${v} ${u}` };
  }
  switch (d) {
    case "threshold": {
      const b = c.threshold === null ? undefined : boundOf(c.threshold.levels, rank);
      const bound = b === undefined ? "" : fmt(b);
      return {
        en: `${c.en} ${v} ${u} reached the ${L.en} bound ${bound} ${u}`,
        zh: `${c.zh}${v} ${u}，达到${L.zh}阈值${bound} ${u}`,
      };
    }
    case "rate": {
      const r = fmt(st.rate?.rate ?? 0);
      return {
        en: `${c.en} changing at ${r} ${u}/min (${L.en})`,
        zh: `${c.zh}变化速率${r} ${u}/分钟（${L.zh}）`,
      };
    }
    case "baseline": {
      const z = fmt(st.base?.z ?? 0);
      const m = fmt(st.base?.mean ?? 0);
      return {
        en: `${c.en} ${v} ${u} is ${z}σ from its adaptive baseline ${m} ${u} (${L.en})`,
        zh: `${c.zh}${v} ${u}偏离自适应基线${m} ${u}达${z}σ（${L.zh}）`,
      };
    }
    case "seasonal": {
      const z = fmt(st.seas?.z ?? 0);
      const e = fmt(st.seas?.expected ?? 0);
      return {
        en: `${c.en} ${v} ${u} is ${z}σ from the usual ${e} ${u} for this time of day (${L.en})`,
        zh: `${c.zh}${v} ${u}偏离该时段常态值${e} ${u}达${z}σ（${L.zh}）`,
      };
    }
    case "stuck": {
      const n = st.stuck?.count ?? 0;
      return {
        en: `${c.en} unchanged at ${v} ${u} for ${n} readings: sensor stuck?`,
        zh: `${c.zh}连续${n}次读数不变（${v} ${u}），疑似传感器卡滞`,
      };
    }
    case "impossible":
      return {
        en: `${c.en} reading ${v} is outside the physical range [${fmt(c.impossible.min)}, ${fmt(c.impossible.max)}] ${u}: sensor fault?`,
        zh: `${c.zh}读数${v}超出物理量程[${fmt(c.impossible.min)}, ${fmt(c.impossible.max)}] ${u}，疑似传感器故障`,
      };
    case "missing": {
      const s = fmt(c.missingAfterMs / 1000);
      return {
        en: `No valid ${c.en} reading for over ${s} s while its device reports`,
        zh: `设备在线但${c.zh}超过${s}秒无有效数据`,
      };
    }
    default:
      return { en: `${c.en}: ${d} ${L.en}`, zh: `${c.zh}：${d} ${L.zh}` };
  }
}

/** Explanation of a device or gateway going offline or coming back. */
export function explainOffline(
  what: "device" | "gateway",
  id: string,
  rank: number,
  reported: boolean,
  silentMs: number,
): Explanation {
  const zhWhat = what === "device" ? "设备" : "网关";
  if (rank === 0) return { en: `${what} ${id} back online`, zh: `${zhWhat}${id}恢复在线` };
  if (reported) return { en: `${what} ${id} reported offline`, zh: `${zhWhat}${id}上报离线` };
  const s = fmt(silentMs / 1000);
  return { en: `${what} ${id} silent for ${s} s`, zh: `${zhWhat}${id}已${s}秒无通信` };
}

/** Fills an explanation template: {asset}, {assetId}, {sensors}. */
export function fillTemplate(
  t: Explanation,
  asset: { id: string; name: string; nameZh: string },
  sensors: string,
): Explanation {
  const fill = (s: string, name: string) =>
    s.replaceAll("{asset}", name).replaceAll("{assetId}", asset.id).replaceAll("{sensors}", sensors);
  return { en: fill(t.en, asset.name), zh: fill(t.zh, asset.nameZh) };
}
