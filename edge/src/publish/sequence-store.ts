/**
 * The batch sequence stream: `epoch` (ms the stream began) and `seq` (+1 per batch, from 1,
 * no gaps). Persisted in `<stateDir>/sequence.json` before a batch is handed to MQTT, written
 * atomically (write tmp, fsync, rename, fsync dir) so a restart continues the stream and never
 * reuses a number. A missing or unreadable file starts a new epoch.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CityTwinError } from "@citytwin/model";

export interface SequenceState {
  epoch: number;
  lastSeq: number;
}

export class SequenceStore {
  private state: SequenceState | undefined;
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly now: () => number,
  ) {
    this.file = join(dir, "sequence.json");
  }

  /** Loads or creates the state. Returns whether a previous stream was continued. */
  open(): boolean {
    mkdirSync(this.dir, { recursive: true });
    try {
      const raw = JSON.parse(readFileSync(this.file, "utf8")) as Partial<SequenceState>;
      if (Number.isSafeInteger(raw.epoch) && Number.isSafeInteger(raw.lastSeq) && (raw.lastSeq ?? -1) >= 0) {
        this.state = { epoch: raw.epoch as number, lastSeq: raw.lastSeq as number };
        return true;
      }
    } catch {
      /* absent or corrupt: new epoch */
    }
    this.state = { epoch: this.now(), lastSeq: 0 };
    this.write(this.state);
    return false;
  }

  get epoch(): number {
    return this.require().epoch;
  }

  get lastSeq(): number {
    return this.require().lastSeq;
  }

  /** Reserves and durably records the next sequence number. */
  next(): number {
    const s = this.require();
    const seq = s.lastSeq + 1;
    this.write({ epoch: s.epoch, lastSeq: seq });
    s.lastSeq = seq;
    return seq;
  }

  /** Moves lastSeq up to `seq` (never down), e.g. when the queue holds a higher seq. */
  advanceTo(seq: number): void {
    const s = this.require();
    if (seq <= s.lastSeq) return;
    this.write({ epoch: s.epoch, lastSeq: seq });
    s.lastSeq = seq;
  }

  private require(): SequenceState {
    if (this.state === undefined) throw new CityTwinError("STATE_IO", "sequence store not opened");
    return this.state;
  }

  private write(s: SequenceState): void {
    const tmp = `${this.file}.tmp`;
    try {
      const fd = openSync(tmp, "w");
      try {
        writeSync(fd, JSON.stringify(s));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.file);
      const dfd = openSync(this.dir, "r");
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch (cause) {
      throw new CityTwinError("STATE_IO", `${this.file}: cannot write sequence state`, { cause });
    }
  }
}
