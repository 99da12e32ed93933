/**
 * Default composite rules for the lifeline domains (reasoning in docs/alarm-defaults.md,
 * "Composite rules"). Plain data, validated by compositeRuleSchema at load; a deployment
 * replaces them with its own list (TypeScript or YAML via parseCompositeRules).
 *
 *  gas_leak            GVC/MH: methane up (≥ blue) and rising or fluctuating, with the gas
 *                      pressure down on the same or an adjacent pipe segment → red.
 *                      Sewer biogas reads low and stable (Hefei's network), a leak high and
 *                      fluctuating: the fluctuation/rate term tells them apart.
 *  gas_leak_suspected  the methane terms alone → orange.
 *  pipe_burst          WMN: pressure ≥ 20 % below its baseline (or falling fast) with the flow
 *                      ≥ 50 % above its baseline → red.
 *  waterlogging        DWL: level rising ≥ 0.3 m/min and either above its blue bound or well
 *                      above its adaptive baseline (≥ yellow, 10σ) → orange;
 *  waterlogging_rain   the same during heavy rain (flag `heavy_rain`; the city model has no
 *                      rain gauge, so a weather feed or an operator sets it) → red.
 *  bridge_overload     BRG: ≥ 2 strain gauges and ≥ 1 deflection sensor at orange or above → red.
 */
import { z } from "zod";
import { compositeRuleSchema, type CompositeRule, type CompositeRuleInput } from "./rules";

const CH4_UP: CompositeRuleInput["terms"] = [
  { kind: "ch4", scope: { on: "anchor" }, where: { test: "level", atLeast: "blue", detector: "threshold" } },
  {
    kind: "ch4",
    scope: { on: "anchor" },
    where: [
      { test: "fluctuation", atLeast: 0.5 },
      { test: "rate", atLeast: 5 },
    ],
  },
];

const WATERLOGGING_TERMS: CompositeRuleInput["terms"] = [
  { kind: "water_level", scope: { on: "anchor" }, where: { test: "rate", atLeast: 0.3 } },
  {
    kind: "water_level",
    scope: { on: "anchor" },
    where: [
      { test: "level", atLeast: "blue", detector: "threshold" },
      { test: "level", atLeast: "yellow", detector: "baseline" },
    ],
  },
];

const RULES: CompositeRuleInput[] = [
  {
    id: "gas_leak",
    category: "gas_leak",
    anchor: ["GVC", "MH"],
    level: "red",
    windowMs: 60_000,
    terms: [
      ...CH4_UP,
      {
        kind: "gas_pressure",
        scope: { on: "network", network: "gas", hops: 1, radiusM: 400, assetTypes: ["GPS"] },
        where: [
          { test: "drop", percent: 10 },
          { test: "rate", atMost: -30 },
          { test: "level", atLeast: "yellow", detector: "threshold" },
        ],
      },
    ],
    explanation: {
      en: "Suspected gas leak at {asset}: methane rising and fluctuating while the gas pressure nearby drops ({sensors})",
      zh: "{asset}疑似燃气泄漏：甲烷浓度上升且波动，邻近管段燃气压力下降（{sensors}）",
    },
  },
  {
    id: "gas_leak_suspected",
    category: "gas_leak",
    anchor: ["GVC", "MH"],
    level: "orange",
    windowMs: 60_000,
    terms: CH4_UP,
    explanation: {
      en: "Methane at {asset} rising and fluctuating, unlike stable sewer biogas ({sensors})",
      zh: "{asset}甲烷浓度上升且波动，不同于稳定的沼气特征（{sensors}）",
    },
  },
  {
    id: "pipe_burst",
    category: "pipe_burst",
    anchor: ["WMN"],
    level: "red",
    windowMs: 60_000,
    terms: [
      {
        kind: "water_pressure",
        scope: { on: "anchor" },
        where: [
          { test: "drop", percent: 20 },
          { test: "rate", atMost: -80 },
        ],
      },
      { kind: "water_flow", scope: { on: "anchor" }, where: { test: "rise", percent: 50 } },
    ],
    explanation: {
      en: "Suspected water main burst at {asset}: pressure drop with a flow surge ({sensors})",
      zh: "{asset}疑似供水管爆管：压力骤降且流量激增（{sensors}）",
    },
  },
  {
    id: "waterlogging",
    category: "waterlogging",
    anchor: ["DWL"],
    level: "orange",
    windowMs: 300_000,
    terms: WATERLOGGING_TERMS,
    explanation: {
      en: "Water level in {asset} rising fast ({sensors})",
      zh: "{asset}井内液位快速上涨（{sensors}）",
    },
  },
  {
    id: "waterlogging_rain",
    category: "waterlogging",
    anchor: ["DWL"],
    level: "red",
    windowMs: 300_000,
    terms: [...WATERLOGGING_TERMS, { flag: "heavy_rain" }],
    explanation: {
      en: "Waterlogging risk at {asset}: level rising fast during heavy rain ({sensors})",
      zh: "{asset}内涝风险：强降雨期间井内液位快速上涨（{sensors}）",
    },
  },
  {
    id: "bridge_overload",
    category: "bridge_overload",
    anchor: ["BRG"],
    level: "red",
    windowMs: 30_000,
    terms: [
      {
        kind: "strain",
        scope: { on: "anchor" },
        where: { test: "level", atLeast: "orange", detector: "threshold" },
        atLeastSensors: 2,
      },
      {
        kind: "deflection",
        scope: { on: "anchor" },
        where: { test: "level", atLeast: "orange", detector: "threshold" },
      },
    ],
    explanation: {
      en: "Suspected overload on {asset}: strain and deflection high together ({sensors})",
      zh: "{asset}疑似超载：应变与挠度同时超限（{sensors}）",
    },
  },
];

export const DEFAULT_COMPOSITE_RULES: readonly CompositeRule[] = z.array(compositeRuleSchema).parse(RULES);
