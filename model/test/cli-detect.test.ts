import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/citytwin.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "citytwin-detect-"));

function citytwin(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A CRLF fixture with a BOM and a blank trailing line: 600 five-minute readings, a step at 450. */
function fixture(rows: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2024, 2, 1) + i * 300_000).toISOString().slice(0, 19).replace("T", " ");
    const v = (i < 450 ? 20 : 60) + ((i * 7919) % 13) / 4;
    lines.push(`${t},${v.toFixed(2)}`);
  }
  return lines;
}

function writeCsv(name: string, rows: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `\uFEFFtimestamp,value\r\n${rows.join("\r\n")}\r\n\r\n`);
  return path;
}

function readOutput(path: string): string[][] {
  return readFileSync(path, "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => l.split(","));
}

describe("citytwin detect", () => {
  const rows = fixture(600);
  const input = writeCsv("in.csv", rows);
  const output = join(dir, "out.csv");
  const run = citytwin("detect", "--input", input, "--output", output);

  it("writes timestamp,value,anomaly_score: one row per input row, in order, scores in [0, 1]", () => {
    expect(run.stderr).toContain("scored 600 readings");
    expect(run.code).toBe(0);
    const out = readOutput(output);
    expect(out[0]).toEqual(["timestamp", "value", "anomaly_score"]);
    expect(out).toHaveLength(601);
    out.slice(1).forEach((r, i) => {
      expect(`${r[0]},${r[1]}`).toBe(rows[i]);
      const score = Number(r[2]);
      expect(score >= 0 && score <= 1).toBe(true);
    });
    // The step at row 450 is the strongest evidence after the quiet start.
    const scores = out.slice(1).map((r) => Number(r[2]));
    const after = scores.slice(440, 460);
    expect(Math.max(...after)).toBe(Math.max(...scores.slice(200)));
  });

  it("is strictly streaming: scoring a prefix gives the first rows of the full output", () => {
    const prefix = writeCsv("prefix.csv", rows.slice(0, 455));
    const prefixOut = join(dir, "prefix-out.csv");
    expect(citytwin("detect", "--input", prefix, "--output", prefixOut, "--detector", "full").code).toBe(0);
    expect(readOutput(prefixOut)).toEqual(readOutput(output).slice(0, 456));
  });

  it("uses --min/--max as the sensor's range for range-aware detectors", () => {
    const ranged = join(dir, "ranged.csv");
    expect(citytwin("detect", "--input", input, "--output", ranged, "--min", "0", "--max", "100").code).toBe(
      0,
    );
    expect(readOutput(ranged)).toHaveLength(601);
    expect(readFileSync(ranged, "utf8")).not.toBe(readFileSync(output, "utf8"));
  });

  it("names the file and line of bad input, exits 2, and leaves no output behind", () => {
    const bad = writeCsv("bad.csv", [rows[0] ?? "", rows[1] ?? "", "2024-03-01 00:10:00,n/a"]);
    const target = join(dir, "bad-out.csv");
    const r = citytwin("detect", "--input", bad, "--output", target);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:4: bad value "n/a"`);
    expect(existsSync(target)).toBe(false);
  });

  it("rejects a wrong header, a missing file and a bad command line with exit 2", () => {
    const noHeader = join(dir, "noheader.csv");
    writeFileSync(noHeader, "time,val\n2024-01-01 00:00:00,1\n");
    const h = citytwin("detect", "--input", noHeader, "--output", join(dir, "x.csv"));
    expect(h.code).toBe(2);
    expect(h.stderr).toContain(`${noHeader}:1: expected the header "timestamp,value"`);
    const missing = citytwin("detect", "--input", join(dir, "nope.csv"), "--output", join(dir, "y.csv"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read");
    const usage = citytwin("detect", "--input", input);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing --output");
  });

  it("prints help with exit 0, and the command list for an unknown command with exit 2", () => {
    const help = citytwin("detect", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--detector NAME");
    const unknown = citytwin("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command frobnicate");
  });
});
