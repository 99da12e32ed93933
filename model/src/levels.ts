/**
 * China's four early-warning colours, 蓝 blue < 黄 yellow < 橙 orange < 红 red, plus normal.
 * Numeric ranks make comparison and max() cheap on the hot path.
 */
import { z } from "zod";

export const LEVELS = ["normal", "blue", "yellow", "orange", "red"] as const;
export type Level = (typeof LEVELS)[number];
export const levelSchema = z.enum(LEVELS);

export const LEVEL_RANK: Readonly<Record<Level, number>> = {
  normal: 0,
  blue: 1,
  yellow: 2,
  orange: 3,
  red: 4,
};

export const LEVEL_LABELS: Readonly<Record<Level, { zh: string; en: string; css: string }>> = {
  normal: { zh: "正常", en: "Normal", css: "#2e9d5b" },
  blue: { zh: "蓝色预警", en: "Blue", css: "#2f7de1" },
  yellow: { zh: "黄色预警", en: "Yellow", css: "#f2c12e" },
  orange: { zh: "橙色预警", en: "Orange", css: "#f07c1b" },
  red: { zh: "红色预警", en: "Red", css: "#e02424" },
};

/**
 * Four-level static thresholds. `direction: "high"` raises a level when the value is at or
 * above the bound; `"low"` when at or below. A level may be absent (no such warning).
 */
export interface LevelThresholds {
  direction: "high" | "low";
  blue?: number;
  yellow?: number;
  orange?: number;
  red?: number;
}

const DESCENDING: readonly Exclude<Level, "normal">[] = ["red", "orange", "yellow", "blue"];

/** The highest level whose bound the value reaches; O(1), allocation-free. */
export function levelFor(thresholds: LevelThresholds | undefined, value: number): Level {
  if (thresholds === undefined || !Number.isFinite(value)) return "normal";
  for (const level of DESCENDING) {
    const bound = thresholds[level];
    if (bound === undefined) continue;
    if (thresholds.direction === "high" ? value >= bound : value <= bound) return level;
  }
  return "normal";
}
