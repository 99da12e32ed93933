/**
 * Per-gateway batch sequence tracking for dedup and gap detection. A batch is identified by
 * (epoch, seq): `epoch` is when the agent's sequence stream began, `seq` counts from 1 with no
 * gaps within it. Per epoch we keep the highest seq seen and the open gaps below it:
 *  - seq > highest + 1  → accept, record the gap [highest+1, seq-1]
 *  - seq ≤ highest and inside an open gap → accept (late replay), shrink the gap
 *  - otherwise (≤ highest, not in a gap) → DUPLICATE
 * State is small, single-writer and serialisable (`toJSON()` / `SequenceTracker.from()`; the
 * ingest journal persists it, journal/seq-state.ts); the last few epochs are kept so replays
 * from before an agent restart still deduplicate. `observe` of an already seen (epoch, seq)
 * changes nothing, so replaying records over a restored snapshot is safe.
 */
export interface SeqGap {
  epoch: number;
  from: number;
  to: number;
}

interface EpochState {
  epoch: number;
  highest: number;
  gaps: { from: number; to: number }[];
}

export type SeqVerdict = "new" | "duplicate";

export interface SequenceJSON {
  epochs: EpochState[];
  gapCount: number;
  missing: number;
}

const MAX_EPOCHS = 4;
const MAX_GAPS_PER_EPOCH = 256;

export class SequenceTracker {
  private readonly epochs: EpochState[] = [];
  gapCount = 0;
  missing = 0;

  static from(json: SequenceJSON): SequenceTracker {
    const t = new SequenceTracker();
    for (const e of json.epochs.slice(0, MAX_EPOCHS))
      t.epochs.push({ epoch: e.epoch, highest: e.highest, gaps: e.gaps.map((g) => ({ ...g })) });
    t.gapCount = json.gapCount;
    t.missing = json.missing;
    return t;
  }

  toJSON(): SequenceJSON {
    return { epochs: this.epochs, gapCount: this.gapCount, missing: this.missing };
  }

  /** Registers (epoch, seq); returns "duplicate" when it was already ingested. */
  observe(epoch: number, seq: number): SeqVerdict {
    let st = this.epochs.find((e) => e.epoch === epoch);
    if (st === undefined) {
      st = { epoch, highest: 0, gaps: [] };
      this.epochs.push(st);
      this.epochs.sort((a, b) => b.epoch - a.epoch);
      if (this.epochs.length > MAX_EPOCHS) this.epochs.length = MAX_EPOCHS;
      if (!this.epochs.includes(st)) return "duplicate"; // older than every epoch we track
    }
    if (seq === st.highest + 1) {
      st.highest = seq;
      return "new";
    }
    if (seq > st.highest) {
      st.gaps.push({ from: st.highest + 1, to: seq - 1 });
      if (st.gaps.length > MAX_GAPS_PER_EPOCH) st.gaps.shift();
      this.gapCount++;
      this.missing += seq - 1 - st.highest;
      st.highest = seq;
      return "new";
    }
    const i = st.gaps.findIndex((g) => seq >= g.from && seq <= g.to);
    if (i < 0) return "duplicate";
    const g = st.gaps[i] as { from: number; to: number };
    this.missing--;
    if (g.from === g.to) st.gaps.splice(i, 1);
    else if (seq === g.from) g.from++;
    else if (seq === g.to) g.to--;
    else st.gaps.splice(i, 1, { from: g.from, to: seq - 1 }, { from: seq + 1, to: g.to });
    return "new";
  }

  /** Newest epoch and its highest seq, or undefined before the first batch. */
  last(): { epoch: number; seq: number } | undefined {
    const st = this.epochs[0];
    return st === undefined ? undefined : { epoch: st.epoch, seq: st.highest };
  }

  /** Open gaps, newest epoch first. */
  gaps(): SeqGap[] {
    return this.epochs.flatMap((e) => e.gaps.map((g) => ({ epoch: e.epoch, from: g.from, to: g.to })));
  }
}
