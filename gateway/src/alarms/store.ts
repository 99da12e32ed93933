/**
 * Durable alarm state: `alarms.snapshot.json` plus an append-only JSON-lines journal
 * `alarms.journal.jsonl` in a state directory.
 *
 * fsync policy:
 * - Operator actions: the manager calls `sync()` before the action resolves, so the HTTP
 *   answer comes only after the action (and everything journalled before it) is fsynced.
 * - Automatic changes (conditions, timers): batched; written and fsynced at most
 *   `fsyncIntervalMs` (default 1000 ms) after they happen. A crash loses at most that window
 *   of automatic changes; detectors re-emit what is still abnormal after a restart.
 * - Compaction every `compactAfterRecords` records and on close: snapshot written to a temp
 *   file, fsynced, renamed over the snapshot, directory fsynced, then the journal truncated.
 *   A crash between rename and truncate leaves records the snapshot already holds; replay is
 *   idempotent (journal.ts).
 * On open: snapshot, then journal replay; a torn last line is counted, logged and cut off; a
 * snapshot that does not parse is moved aside (`.corrupt-<ts>`) and logged, and the journal
 * is replayed on its own, so the alarm system always comes up.
 * All file work runs on one promise chain, so writes, syncs and compactions never interleave.
 */
import { mkdir, open, readFile, rename, rm, truncate, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { replayJournal, StateBuilder, type ReplayReport } from "./journal";
import type { AlarmJournal, JournalRecord, PersistedState } from "./types";

export const SNAPSHOT_FILE = "alarms.snapshot.json";
export const JOURNAL_FILE = "alarms.journal.jsonl";

export interface AlarmStoreOptions {
  logger: Logger;
  /** Longest delay before automatic changes are on disk. Default 1000 ms. */
  fsyncIntervalMs?: number;
  /** Journal records between compactions. Default 10 000. */
  compactAfterRecords?: number;
  now?: () => number;
}

export interface LoadReport extends ReplayReport {
  snapshot: "loaded" | "absent" | "corrupt";
  /** Invalid records in the snapshot and journal together. */
  invalidTotal: number;
}

export class AlarmStore implements AlarmJournal {
  private buffer: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private source: (() => PersistedState) | undefined;
  private sinceCompaction = 0;
  private compactionQueued = false;
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    private readonly fh: FileHandle,
    readonly restored: PersistedState | undefined,
    readonly loadReport: LoadReport,
    private readonly opts: AlarmStoreOptions,
  ) {}

  static async open(dir: string, opts: AlarmStoreOptions): Promise<AlarmStore> {
    const { logger } = opts;
    await mkdir(dir, { recursive: true });
    const snapPath = join(dir, SNAPSHOT_FILE);
    const journalPath = join(dir, JOURNAL_FILE);
    await rm(`${snapPath}.tmp`, { force: true });
    const builder = new StateBuilder();
    let snapshot: LoadReport["snapshot"] = "absent";
    const text = await readOptional(snapPath);
    if (text !== undefined) {
      let doc: unknown;
      try {
        doc = JSON.parse(text.toString("utf8"));
      } catch {
        doc = undefined;
      }
      if (builder.loadSnapshot(doc)) snapshot = "loaded";
      else {
        snapshot = "corrupt";
        const aside = `${snapPath}.corrupt-${Date.now()}`;
        await rename(snapPath, aside);
        logger.error(
          { file: snapPath, movedTo: aside },
          "alarm snapshot unreadable; replaying the journal alone",
        );
      }
    }
    const snapshotInvalid = builder.invalid;
    const journal = (await readOptional(journalPath)) ?? Buffer.alloc(0);
    const report = replayJournal(journal, builder);
    if (report.torn > 0) {
      logger.warn(
        { file: journalPath, validBytes: report.validBytes },
        "alarm journal: torn last line cut off",
      );
      await truncate(journalPath, report.validBytes);
    }
    const invalidTotal = snapshotInvalid + report.invalid;
    if (invalidTotal > 0)
      logger.error(
        { snapshot: snapshotInvalid, journal: report.invalid },
        "alarm state: invalid records skipped",
      );
    const fh = await open(journalPath, "a");
    if (report.missingNewline) await fh.appendFile("\n");
    const now = opts.now ?? Date.now;
    const hasState = snapshot === "loaded" || report.records > 0;
    const loadReport: LoadReport = { ...report, snapshot, invalidTotal };
    logger.info({ dir, ...loadReport }, "alarm state loaded");
    return new AlarmStore(dir, fh, hasState ? builder.build(now()) : undefined, loadReport, opts);
  }

  attach(snapshot: () => PersistedState): void {
    this.source = snapshot;
  }

  append(record: JournalRecord): void {
    if (this.closed) {
      this.opts.logger.error({ t: record.t }, "alarm store closed; record dropped");
      return;
    }
    this.buffer.push(`${JSON.stringify(record)}\n`);
    this.sinceCompaction++;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.sync().catch((err: unknown) => this.opts.logger.error({ err }, "alarm journal write failed"));
      }, this.opts.fsyncIntervalMs ?? 1000);
      this.timer.unref();
    }
    if (!this.compactionQueued && this.sinceCompaction >= (this.opts.compactAfterRecords ?? 10_000)) {
      this.compactionQueued = true;
      this.compact().catch((err: unknown) => this.opts.logger.error({ err }, "alarm compaction failed"));
    }
  }

  sync(): Promise<void> {
    return this.enqueue(() => this.flush());
  }

  /** Snapshot now and empty the journal (without an attached source: just sync). */
  compact(): Promise<void> {
    return this.enqueue(() => this.compactNow());
  }

  /** Compacts (or syncs), then closes the journal. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.compact();
    this.closed = true;
    await this.enqueue(async () => {
      await this.flush();
      await this.fh.close();
    });
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.chain.then(job);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const lines = this.buffer;
    this.buffer = [];
    try {
      await this.fh.appendFile(lines.join(""));
      await this.fh.sync();
    } catch (err) {
      this.buffer = [...lines, ...this.buffer];
      throw err;
    }
  }

  private async compactNow(): Promise<void> {
    this.compactionQueued = false;
    if (this.source === undefined) return this.flush();
    const json = JSON.stringify(this.source());
    // Everything buffered so far is in the snapshot; later appends go to the emptied journal.
    const dropped = this.buffer;
    this.buffer = [];
    const before = this.sinceCompaction;
    try {
      const snapPath = join(this.dir, SNAPSHOT_FILE);
      const tmp = await open(`${snapPath}.tmp`, "w");
      try {
        await tmp.writeFile(json);
        await tmp.sync();
      } finally {
        await tmp.close();
      }
      await rename(`${snapPath}.tmp`, snapPath);
      await syncDir(this.dir);
      await this.fh.truncate(0);
      await this.fh.sync();
      this.sinceCompaction -= before;
    } catch (err) {
      this.buffer = [...dropped, ...this.buffer];
      throw err;
    }
  }
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Makes a rename durable (POSIX); not supported everywhere, so best effort. */
async function syncDir(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await open(dir, "r");
    await h.sync();
  } catch {
    // Directory fsync is not available on this platform.
  } finally {
    await h?.close();
  }
}
