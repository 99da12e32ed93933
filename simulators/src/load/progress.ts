/** One progress line rewritten in place on a TTY (~1/s); plain lines otherwise. */
export class Progress {
  private readonly tty = process.stdout.isTTY === true;
  private dirty = false;

  update(line: string): void {
    if (!this.tty) {
      console.log(line);
      return;
    }
    const cols = process.stdout.columns ?? 120;
    process.stdout.write(`\r\x1b[K${line.length > cols - 1 ? line.slice(0, cols - 2) + "…" : line}`);
    this.dirty = true;
  }

  /** A normal line (warnings, steps) without garbling the progress line. */
  log(line: string): void {
    if (this.dirty) process.stdout.write("\r\x1b[K");
    console.log(line);
    this.dirty = false;
  }

  end(): void {
    if (this.dirty) process.stdout.write("\n");
    this.dirty = false;
  }
}

/** "[####······] 12/30 s" */
export function bar(done: number, total: number, width = 20): string {
  const k = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${"#".repeat(k)}${"·".repeat(width - k)}] ${Math.min(done, total)}/${total} s`;
}

export const fmt = (x: number) => Math.round(x).toLocaleString("en");
