/**
 * Physically impossible readings: outside the kind's range [min, max] (a broken sensor,
 * wrong scaling, a wiring fault), or a non-finite value delivered with good quality.
 * Raises on the first such reading; clears after `clearAfter` valid readings in a row,
 * so a sensor flapping between garbage and sense stays raised. State: 2 numbers.
 */
export interface ImpossibleState {
  level: number;
  /** Valid readings in a row since the last impossible one. */
  ok: number;
}

export interface ImpossibleConfig {
  min: number;
  max: number;
  /** Rank raised (LEVELS index). */
  rank: number;
  clearAfter: number;
}

export function createImpossible(): ImpossibleState {
  return { level: 0, ok: 0 };
}

/** Is `x` possible for this sensor (NaN and ±Infinity are not)? */
export function isPossible(c: ImpossibleConfig, x: number): boolean {
  return x >= c.min && x <= c.max;
}

/** True when the level changed. O(1), allocation-free. */
export function updateImpossible(st: ImpossibleState, c: ImpossibleConfig, x: number): boolean {
  if (!isPossible(c, x)) {
    st.ok = 0;
    if (st.level === c.rank) return false;
    st.level = c.rank;
    return true;
  }
  if (st.level === 0) return false;
  st.ok++;
  if (st.ok < c.clearAfter) return false;
  st.level = 0;
  st.ok = 0;
  return true;
}
