/**
 * The audit trail (ISA-18.2 requires operator actions such as acknowledgement, shelving and
 * removal from service to be recorded). Every successful operator action and every automatic
 * incident opening or shelving expiry gets an entry with a strictly increasing `seq`, which
 * clients page with `sinceSeq`. The newest `max` entries are kept; the log (pino) is the
 * unbounded archive.
 */
import type { AuditEntry } from "@citytwin/model";

export type AuditQuery = { sinceSeq?: number; limit?: number };

/** Automatic entries are by this actor (with role admin: the system acts on its own authority). */
export const SYSTEM_ACTOR = "system";

export class AuditTrail {
  private entries: AuditEntry[] = [];
  private seq = 0;

  constructor(private readonly max: number) {}

  append(e: Omit<AuditEntry, "seq">): AuditEntry {
    const entry: AuditEntry = { seq: ++this.seq, ...e };
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    return entry;
  }

  /** With `sinceSeq`: the entries after it, oldest first. Without: the newest `limit`, oldest first. */
  query(q: AuditQuery = {}): AuditEntry[] {
    const limit = Math.max(1, Math.min(q.limit ?? 500, 5000));
    if (q.sinceSeq === undefined) return this.entries.slice(-limit);
    const since = q.sinceSeq;
    const start = this.entries.findIndex((e) => e.seq > since);
    return start < 0 ? [] : this.entries.slice(start, start + limit);
  }

  get lastSeq(): number {
    return this.seq;
  }

  all(): AuditEntry[] {
    return this.entries.slice();
  }

  /** Loads persisted entries (any order, duplicates by seq dropped). */
  restore(entries: readonly AuditEntry[]): void {
    const bySeq = new Map<number, AuditEntry>();
    for (const e of [...this.entries, ...entries]) bySeq.set(e.seq, e);
    this.entries = [...bySeq.values()].sort((a, b) => a.seq - b.seq).slice(-this.max);
    this.seq = Math.max(this.seq, this.entries.at(-1)?.seq ?? 0);
  }
}
