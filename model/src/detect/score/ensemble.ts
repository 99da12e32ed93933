/**
 * Ensemble: runs several bound scorers on every reading and combines their scores,
 * either by the weighted maximum (any member can raise the alarm) or the weighted mean
 * (members must agree). Weights are in [0, 1] for "max" so the result stays in [0, 1].
 * State: the members' states, in order.
 */
import type { BoundScorer, StreamScorer } from "./types";

export interface ScoreEnsembleMember {
  scorer: BoundScorer;
  weight: number;
}

export interface ScoreEnsembleState {
  members: unknown[];
}

export function scoreEnsemble(
  name: string,
  members: readonly ScoreEnsembleMember[],
  mode: "max" | "mean",
): StreamScorer<Record<string, never>, ScoreEnsembleState> {
  const totalWeight = members.reduce((w, m) => w + m.weight, 0);
  if (members.length === 0 || !(totalWeight > 0)) {
    throw new Error(`ensemble ${name}: needs at least one member with a positive weight`);
  }
  return {
    name,
    init() {
      return { members: members.map((m) => m.scorer.init()) };
    },
    update(s, ts, value) {
      if (!Number.isFinite(value)) return 0;
      let acc = 0;
      for (let i = 0; i < members.length; i++) {
        const m = members[i];
        if (m === undefined) continue;
        const score = m.weight * m.scorer.update(s.members[i], ts, value);
        if (mode === "mean") acc += score;
        else if (score > acc) acc = score;
      }
      return mode === "mean" ? acc / totalWeight : acc;
    },
  };
}
