/**
 * A sink's commit position in the ingest journal. Contract: `position` = P means every
 * journal record ≤ P has been durably handled by the sink (its lines got HTTP 2xx, were
 * dead-lettered, or it had none); records above P may or may not be. Sinks report records
 * as they complete, in any order (`done`), or a whole prefix (`doneThrough`, catch-up);
 * the position moves over contiguous completions only. The journal persists it
 * (cursor-<name>.json) and deletes segments every cursor is past.
 */
export class SinkCursor {
  private readonly above = new Set<number>();
  /** When the lowest missing record above `position` started blocking completions. */
  private blockedSince: number | undefined;
  dirty = false;

  constructor(
    readonly name: string,
    public position: number,
    private readonly now: () => number,
  ) {}

  done(no: number): void {
    if (no <= this.position) return;
    if (no !== this.position + 1) {
      this.above.add(no);
      this.blockedSince ??= this.now();
      return;
    }
    this.moveTo(no);
  }

  /** Every record ≤ `no` is handled (a catch-up batch read them all from the journal). */
  doneThrough(no: number): void {
    if (no > this.position) this.moveTo(no);
  }

  /** How long completions above a missing record have been waiting (0 when none). */
  blockedFor(): number {
    return this.blockedSince === undefined ? 0 : this.now() - this.blockedSince;
  }

  private moveTo(no: number): void {
    let p = no;
    if (this.above.size > 0) {
      for (const n of this.above) if (n <= p) this.above.delete(n);
      while (this.above.delete(p + 1)) p++;
    }
    this.position = p;
    this.dirty = true;
    this.blockedSince = this.above.size > 0 ? this.now() : undefined;
  }
}
