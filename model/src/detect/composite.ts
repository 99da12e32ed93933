/**
 * Composite rules at run time. At construction every rule is instantiated per anchor asset,
 * each sensor term resolved to at most maxSensors concrete sensors (nearest first), and each
 * sensor gets its subscription list — so a reading costs O(its subscriptions), bounded by
 * the rules, not by the city. A term slot remembers when its sensor last satisfied the term
 * (`lastTrue`); an instance holds while every term has enough slots true within windowMs,
 * which also gives the rule its natural hold time. State per instance: level + slot times.
 */
import type { Asset, CityModel } from "../city";
import { levelRank, NEVER } from "./level-latch";
import { CityGeometry } from "./neighbours";
import type { CompositeRule, RulePredicate } from "./rules";
import { baselineWarm } from "./baseline";
import { seasonalWarm } from "./seasonal";
import type { SensorConfig, SensorState } from "./sensor-stack";

export interface CompositeState {
  level: number;
  lastTrue: number[];
}

export interface FlagState {
  on: boolean;
  /** When it last went off (NEVER if it never did). */
  offAt: number;
}

interface Pred {
  test: RulePredicate["test"];
  lo: number;
  hi: number;
  /** For `level`: the detector to read ("any": the highest value detector). */
  detector: "any" | "threshold" | "rate" | "baseline" | "seasonal";
}

interface Term {
  flag: string | null;
  preds: Pred[];
  atLeast: number;
  first: number;
  count: number;
}

export interface CompositeInstance {
  key: string;
  rule: CompositeRule;
  anchor: Asset;
  rank: number;
  terms: Term[];
  /** Sensor index of each slot. */
  slotSensor: number[];
}

function compilePred(p: RulePredicate): Pred {
  const lo = -Number.MAX_VALUE;
  const hi = Number.MAX_VALUE;
  switch (p.test) {
    case "level":
      return { test: p.test, lo: levelRank(p.atLeast), hi, detector: p.detector };
    case "rate":
    case "value":
      return { test: p.test, lo: p.atLeast ?? lo, hi: p.atMost ?? hi, detector: "any" };
    case "drop":
    case "rise":
      return { test: p.test, lo: p.percent / 100, hi, detector: "any" };
    case "fluctuation":
      return { test: p.test, lo: p.atLeast, hi, detector: "any" };
  }
}

/** The reference a drop/rise is measured against, or NaN while no baseline is warm. */
function referenceOf(st: SensorState, c: SensorConfig): number {
  if (st.seas !== null && c.seasonal !== null && seasonalWarm(st.seas, c.seasonal)) return st.seas.expected;
  if (st.base !== null && c.baseline !== null && baselineWarm(st.base, c.baseline)) return st.base.mean;
  return Number.NaN;
}

function holds(p: Pred, st: SensorState, c: SensorConfig): boolean {
  switch (p.test) {
    case "level": {
      const thr = st.thr.level;
      const rate = st.rate?.latch.level ?? 0;
      const base = st.base?.latch.level ?? 0;
      const seas = st.seas?.latch.level ?? 0;
      const l =
        p.detector === "threshold"
          ? thr
          : p.detector === "rate"
            ? rate
            : p.detector === "baseline"
              ? base
              : p.detector === "seasonal"
                ? seas
                : Math.max(thr, rate, base, seas);
      return l >= p.lo;
    }
    case "rate":
      return st.rate !== null && st.rate.rate >= p.lo && st.rate.rate <= p.hi;
    case "value":
      return st.value >= p.lo && st.value <= p.hi;
    case "fluctuation":
      return st.rate !== null && st.rate.fluct >= p.lo;
    case "drop":
      return st.value <= referenceOf(st, c) * (1 - p.lo);
    case "rise":
      return st.value >= referenceOf(st, c) * (1 + p.lo);
  }
}

export class CompositeSet {
  readonly instances: CompositeInstance[] = [];
  readonly states: CompositeState[] = [];
  /** Per sensor: flattened [instance, term, slot] triples. */
  private readonly subs: number[][];
  private readonly byFlag = new Map<string, number[]>();

  constructor(
    city: CityModel,
    rules: readonly CompositeRule[],
    private readonly sensorStates: SensorState[],
    private readonly sensorConfigs: readonly SensorConfig[],
    readonly flags: Map<string, FlagState>,
  ) {
    this.subs = city.sensors.map(() => []);
    const sensorsByAsset = new Map<string, number[]>();
    city.sensors.forEach((s, i) =>
      sensorsByAsset.set(s.assetId, [...(sensorsByAsset.get(s.assetId) ?? []), i]),
    );
    const geo = new CityGeometry(city);
    for (const rule of rules) {
      const anchorTypes = new Set<string>(rule.anchor);
      for (const anchor of city.assets) {
        if (anchorTypes.has(anchor.type)) this.instantiate(rule, anchor, geo, city, sensorsByAsset);
      }
    }
  }

  private instantiate(
    rule: CompositeRule,
    anchor: Asset,
    geo: CityGeometry,
    city: CityModel,
    sensorsByAsset: Map<string, number[]>,
  ): void {
    const terms: Term[] = [];
    const slotSensor: number[] = [];
    for (const t of rule.terms) {
      if ("flag" in t) {
        terms.push({ flag: t.flag, preds: [], atLeast: 1, first: slotSensor.length, count: 0 });
        continue;
      }
      const sensors = geo
        .assetsInScope(anchor, t.scope)
        .flatMap((a) => (sensorsByAsset.get(a.id) ?? []).filter((i) => city.sensors[i]?.kind === t.kind))
        .slice(0, t.maxSensors);
      if (sensors.length < t.atLeastSensors) return; // this anchor cannot satisfy the rule
      const preds = (Array.isArray(t.where) ? t.where : [t.where]).map(compilePred);
      terms.push({
        flag: null,
        preds,
        atLeast: t.atLeastSensors,
        first: slotSensor.length,
        count: sensors.length,
      });
      slotSensor.push(...sensors);
    }
    const n = this.instances.length;
    this.instances.push({
      key: `${anchor.id}/composite:${rule.id}`,
      rule,
      anchor,
      rank: levelRank(rule.level),
      terms,
      slotSensor,
    });
    this.states.push({ level: 0, lastTrue: new Array<number>(slotSensor.length).fill(NEVER) });
    terms.forEach((term, ti) => {
      if (term.flag !== null) this.byFlag.set(term.flag, [...(this.byFlag.get(term.flag) ?? []), n]);
      for (let s = term.first; s < term.first + term.count; s++)
        this.subs[slotSensor[s] ?? 0]?.push(n, ti, s);
    });
  }

  /** After sensor `i` took a reading at `ts`: updates its slots; calls `changed` per instance whose level moved. */
  onReading(i: number, ts: number, changed: (instance: number, ts: number) => void): void {
    const subs = this.subs[i];
    if (subs === undefined || subs.length === 0) return;
    const st = this.sensorStates[i];
    const c = this.sensorConfigs[i];
    if (st === undefined || c === undefined) return;
    for (let k = 0; k < subs.length; k += 3) {
      const n = subs[k] ?? 0;
      const term = this.instances[n]?.terms[subs[k + 1] ?? 0];
      const state = this.states[n];
      if (term === undefined || state === undefined) continue;
      for (const p of term.preds) {
        if (holds(p, st, c)) {
          state.lastTrue[subs[k + 2] ?? 0] = ts;
          break;
        }
      }
      if (this.evaluate(n, ts)) changed(n, ts);
    }
  }

  /** Re-evaluates instance `n` at `now`; true when its level changed. */
  evaluate(n: number, now: number): boolean {
    const inst = this.instances[n];
    const state = this.states[n];
    if (inst === undefined || state === undefined) return false;
    const since = now - inst.rule.windowMs;
    let active = true;
    for (const term of inst.terms) {
      if (term.flag !== null) {
        const f = this.flags.get(term.flag);
        if (f === undefined || (!f.on && f.offAt < since)) active = false;
      } else {
        let ok = 0;
        for (let s = term.first; s < term.first + term.count; s++)
          if ((state.lastTrue[s] ?? NEVER) >= since) ok++;
        if (ok < term.atLeast) active = false;
      }
      if (!active) break;
    }
    const level = active ? inst.rank : 0;
    if (level === state.level) return false;
    state.level = level;
    return true;
  }

  /** Sensor indices whose slots hold within the window at `now` (the evidence). */
  evidence(n: number, now: number): number[] {
    const inst = this.instances[n];
    const state = this.states[n];
    if (inst === undefined || state === undefined) return [];
    const since = now - inst.rule.windowMs;
    const out = new Set<number>();
    inst.slotSensor.forEach((i, s) => {
      if ((state.lastTrue[s] ?? NEVER) >= since) out.add(i);
    });
    return [...out];
  }

  /** Instances using `flag`. */
  instancesWithFlag(flag: string): readonly number[] {
    return this.byFlag.get(flag) ?? [];
  }
}
