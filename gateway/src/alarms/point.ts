/**
 * One alarm point (Condition.key): the raw condition level the detectors report and the
 * annunciated level after on/off delays, the re-raise deadband, escalation/de-escalation
 * timers and the chattering latch. Pure data and pure functions; the engine applies the
 * resulting level changes to alarms.
 *
 * `above[r]` is the time since which the raw level has been continuously ≥ rank r, `below[r]`
 * since when it has been continuously < r (r = 1 blue … 4 red; index 0 unused), so every
 * timer is "has this held for T?" against a single timestamp.
 */
import { LEVEL_RANK, LEVELS, type Condition, type DetectorName, type Level } from "@citytwin/model";
import type { AlarmConfig } from "./config";
import type { PointFlags } from "./types";

export interface AlarmPoint {
  key: string;
  sourceId: string;
  detector: DetectorName;
  rule: string | undefined;
  /** Level the detector reports now. */
  raw: Level;
  /** Last non-normal condition (explanation and evidence sensors of the alarm). */
  cond: Condition | undefined;
  above: (number | undefined)[];
  below: (number | undefined)[];
  /** Annunciated level; `normal` = inactive. */
  level: Level;
  lastClearAt: number | undefined;
  /** Activation times within the chattering window. */
  activations: number[];
  chattering: boolean;
  /** Open alarm of this point. */
  alarmId: string | undefined;
  /**
   * Composite rules: every evidence sensor reported since the open alarm was raised (a rule's
   * evidence grows as more sensors join the event); its alarms' grouping scope.
   */
  groupSensors: Set<string>;
  shelved: PointFlags["shelved"];
  outOfService: PointFlags["outOfService"];
  /** After a restart: the time by which a detector must have confirmed the active condition. */
  restoreUntil: number | undefined;
}

export function newPoint(key: string, sourceId: string, detector: DetectorName, rule?: string): AlarmPoint {
  const never = Number.NEGATIVE_INFINITY;
  return {
    key,
    sourceId,
    detector,
    rule,
    raw: "normal",
    cond: undefined,
    above: [undefined, undefined, undefined, undefined, undefined],
    below: [undefined, never, never, never, never],
    level: "normal",
    lastClearAt: undefined,
    activations: [],
    chattering: false,
    alarmId: undefined,
    groupSensors: new Set(),
    shelved: undefined,
    outOfService: undefined,
    restoreUntil: undefined,
  };
}

/** Records a raw level change at `ts`; false when the level did not change. */
export function observe(p: AlarmPoint, level: Level, ts: number): boolean {
  if (level === p.raw) return false;
  const rank = LEVEL_RANK[level];
  for (let r = 1; r <= 4; r++) {
    if (rank >= r) {
      p.above[r] ??= ts;
      p.below[r] = undefined;
    } else {
      p.above[r] = undefined;
      p.below[r] ??= ts;
    }
  }
  p.raw = level;
  return true;
}

function held(since: number | undefined, now: number, ms: number): boolean {
  return since !== undefined && now - since >= ms;
}

function levelAt(rank: number): Exclude<Level, "normal"> {
  return LEVELS[rank] as Exclude<Level, "normal">;
}

/** The level the point should annunciate at `now`, given what the detector reported. */
export function nextLevel(p: AlarmPoint, now: number, cfg: AlarmConfig): Level {
  const cur = LEVEL_RANK[p.level];
  const raw = LEVEL_RANK[p.raw];
  if (cur === 0) {
    // Activation: the highest level whose on-delay (from the later of its rise and the end of
    // the re-raise deadband) has run out.
    for (let h = raw; h >= 1; h--) {
      const l = levelAt(h);
      const rise = p.above[h];
      if (rise === undefined) continue;
      const start = Math.max(rise, (p.lastClearAt ?? Number.NEGATIVE_INFINITY) + cfg.reraiseDeadbandMs[l]);
      if (now - start >= cfg.onDelayMs[l]) return l;
    }
    return "normal";
  }
  for (let h = raw; h > cur; h--) {
    const l = levelAt(h);
    if (held(p.above[h], now, cfg.escalateDelayMs[l])) return l;
  }
  const curLevel = levelAt(cur);
  if (raw === 0) {
    const hold = p.chattering
      ? Math.max(cfg.offDelayMs[curLevel], cfg.chatterQuietMs)
      : cfg.offDelayMs[curLevel];
    return held(p.below[1], now, hold) ? "normal" : curLevel;
  }
  if (raw < cur) {
    // Step down to the lowest level whose next-higher level the condition has stayed below
    // for that level's de-escalation delay.
    for (let r = raw; r < cur; r++) {
      if (held(p.below[r + 1], now, cfg.deEscalateDelayMs[levelAt(r + 1)])) return levelAt(r);
    }
  }
  return curLevel;
}

/** Counts an activation; true when it makes the point chattering (newly). */
export function noteActivation(p: AlarmPoint, now: number, cfg: AlarmConfig): boolean {
  p.activations = p.activations.filter((t) => now - t < cfg.chatterWindowMs);
  p.activations.push(now);
  if (p.chattering || p.activations.length < cfg.chatterCount) return false;
  p.chattering = true;
  return true;
}

/** Records a clear; a chattering latch is released by it. */
export function noteClear(p: AlarmPoint, now: number): void {
  p.lastClearAt = now;
  if (p.chattering) {
    p.chattering = false;
    p.activations = [];
  }
}

/** True while a timer can still change the annunciated level (the engine re-evaluates it on tick). */
export function isPending(p: AlarmPoint): boolean {
  return p.raw !== p.level || p.restoreUntil !== undefined;
}
