/**
 * Builders of the Conditions the engine emits (on level changes only, so allocation here
 * is off the hot path).
 */
import type { Asset } from "../city";
import { conditionKey, type Condition, type DetectorName } from "./condition";
import { explainOffline, explainSensor, fillTemplate } from "./explain";
import { levelName } from "./level-latch";
import type { CompositeRule } from "./rules";
import { sensorLevel, type SensorConfig, type SensorState } from "./sensor-stack";

/** A single-sensor detector's condition; `value` the reading that moved it (null: none). */
export function sensorCondition(
  sensorId: string,
  d: DetectorName,
  c: SensorConfig,
  st: SensorState,
  ts: number,
  value: number | null,
): Condition {
  const rank = sensorLevel(st, d);
  return {
    key: conditionKey(sensorId, d),
    sourceId: sensorId,
    detector: d,
    level: levelName(rank),
    ts,
    ...(value !== null && Number.isFinite(value) ? { value } : {}),
    explanation: explainSensor(d, c, st, rank, value ?? Number.NaN),
    evidenceSensorIds: [sensorId],
  };
}

/** A device's or gateway's offline condition. */
export function offlineCondition(
  what: "device" | "gateway",
  id: string,
  rank: number,
  reported: boolean,
  ts: number,
  lastSeen: number,
  sensorIds: readonly string[],
): Condition {
  return {
    key: conditionKey(id, "offline"),
    sourceId: id,
    detector: "offline",
    level: levelName(rank),
    ts,
    explanation: explainOffline(what, id, rank, reported, ts - lastSeen),
    evidenceSensorIds: [...sensorIds],
  };
}

/** A composite rule instance's condition; `sensors` are the evidence (id and key). */
export function compositeCondition(
  rule: CompositeRule,
  anchor: Asset,
  rank: number,
  ts: number,
  sensors: readonly { id: string; key: string }[],
): Condition {
  const words = fillTemplate(rule.explanation, anchor, sensors.map((s) => s.key).join(", "));
  return {
    key: conditionKey(anchor.id, "composite", rule.id),
    sourceId: anchor.id,
    detector: "composite",
    rule: rule.id,
    level: levelName(rank),
    ts,
    explanation: rank !== 0 ? words : { en: `Cleared: ${words.en}`, zh: `已解除：${words.zh}` },
    evidenceSensorIds: sensors.map((s) => s.id),
  };
}
