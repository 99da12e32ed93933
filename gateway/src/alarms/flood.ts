/**
 * Alarm flood detection per operator position (ISA-18.2 / IEC 62682 performance benchmark:
 * more than 10 annunciated alarms per operator in 10 minutes is a flood). A flood starts when
 * the count in the sliding window exceeds `threshold` and ends when it falls below `endBelow`
 * (hysteresis, so the state does not flap at the boundary).
 */
export interface FloodChange {
  position: string;
  active: boolean;
  /** Annunciations in the window at the change. */
  rate: number;
  ts: number;
}

export interface FloodSettings {
  threshold: number;
  windowMs: number;
  endBelow: number;
}

interface Position {
  times: number[];
  since: number | undefined;
}

export interface FloodStats {
  active: boolean;
  positions: { position: string; rate: number; flooding: boolean; since?: number }[];
  episodes: number;
}

export class FloodMonitor {
  private readonly positions = new Map<string, Position>();
  private episodes = 0;

  constructor(private readonly s: FloodSettings) {}

  /** Counts one annunciation; returns the change when it starts a flood. */
  record(position: string, ts: number): FloodChange | undefined {
    let p = this.positions.get(position);
    if (p === undefined) {
      p = { times: [], since: undefined };
      this.positions.set(position, p);
    }
    this.prune(p, ts);
    p.times.push(ts);
    if (p.since !== undefined || p.times.length <= this.s.threshold) return undefined;
    p.since = ts;
    this.episodes++;
    return { position, active: true, rate: p.times.length, ts };
  }

  /** Slides the windows to `now`; returns the floods that ended. */
  evaluate(now: number): FloodChange[] {
    const ended: FloodChange[] = [];
    for (const [position, p] of this.positions) {
      this.prune(p, now);
      if (p.since !== undefined && p.times.length < this.s.endBelow) {
        p.since = undefined;
        ended.push({ position, active: false, rate: p.times.length, ts: now });
      }
      if (p.since === undefined && p.times.length === 0) this.positions.delete(position);
    }
    return ended;
  }

  isFlooding(position: string): boolean {
    return this.positions.get(position)?.since !== undefined;
  }

  stats(): FloodStats {
    const positions = [...this.positions].map(([position, p]) => ({
      position,
      rate: p.times.length,
      flooding: p.since !== undefined,
      ...(p.since === undefined ? {} : { since: p.since }),
    }));
    return { active: positions.some((p) => p.flooding), positions, episodes: this.episodes };
  }

  private prune(p: Position, now: number): void {
    let i = 0;
    while (i < p.times.length && now - (p.times[i] ?? 0) >= this.s.windowMs) i++;
    if (i > 0) p.times.splice(0, i);
  }
}
