/**
 * `citytwin detect`: streams a `timestamp,value` CSV through a scorer preset and writes
 * `timestamp,value,anomaly_score` (NAB's results format), one row per input row, in order.
 * Memory is O(1) in the file length: lines are read, scored and written one at a time.
 * The output is written to a temporary file beside the target and renamed into place on
 * success, so a failed run never leaves a truncated result behind.
 */
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { findScorerPreset } from "../detect/score";
import { parseDetectArgs, type DetectRun } from "./detect-args";
import { cleanLine, isReadingsHeader, parseReadingLine } from "./readings-csv";

/** A problem with the user's input or files: reported as one line, exit code 2. */
export class DetectInputError extends Error {}

const FLUSH_BYTES = 1 << 16;

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}

/** Scores `run.input` into `run.output`; returns the number of readings scored. */
export async function detectFile(run: DetectRun): Promise<number> {
  const preset = findScorerPreset(run.detector);
  if (preset === undefined) throw new DetectInputError(`unknown detector ${run.detector}`);
  const scorer = preset.create(run.range);
  const state = scorer.init();

  const input = createReadStream(run.input, { encoding: "utf8" });
  await once(input, "open").catch((e: unknown) => {
    throw new DetectInputError(`cannot read ${run.input}: ${(e as Error).message}`);
  });
  const tmp = `${run.output}.${process.pid}.tmp`;
  const out = createWriteStream(tmp, { encoding: "utf8" });
  await once(out, "open").catch((e: unknown) => {
    input.destroy();
    const reason = (e as Error).message.replace(tmp, run.output);
    throw new DetectInputError(`cannot write ${run.output}: ${reason}`);
  });

  let lineNo = 0;
  let rows = 0;
  let sawHeader = false;
  let buffer = "timestamp,value,anomaly_score\n";
  try {
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      lineNo++;
      const line = cleanLine(raw, lineNo === 1);
      if (line.trim() === "") continue;
      if (!sawHeader) {
        if (!isReadingsHeader(line)) {
          throw new DetectInputError(
            `${run.input}:${lineNo}: expected the header "timestamp,value", got ${JSON.stringify(line)}`,
          );
        }
        sawHeader = true;
        continue;
      }
      const reading = parseReadingLine(line);
      if (typeof reading === "string") throw new DetectInputError(`${run.input}:${lineNo}: ${reading}`);
      const score = scorer.update(state, reading.ts, reading.value);
      buffer += `${reading.tsText},${reading.valueText},${score}\n`;
      rows++;
      if (buffer.length >= FLUSH_BYTES) {
        await write(out, buffer);
        buffer = "";
      }
    }
    if (!sawHeader)
      throw new DetectInputError(`${run.input}: empty file, expected the header "timestamp,value"`);
    await write(out, buffer);
    out.end();
    await once(out, "finish");
    await rename(tmp, run.output);
    return rows;
  } catch (e) {
    input.destroy();
    out.destroy();
    await rm(tmp, { force: true });
    if (e instanceof DetectInputError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err.code !== undefined) throw new DetectInputError(`${run.input}: ${err.message}`);
    throw e;
  }
}

/** The `detect` subcommand: parses argv, runs, reports; resolves to the exit code. */
export async function detectCommand(argv: readonly string[]): Promise<number> {
  const cli = parseDetectArgs(argv);
  if (cli.kind === "exit") {
    (cli.out === "stdout" ? process.stdout : process.stderr).write(`${cli.text}\n`);
    return cli.code;
  }
  try {
    const rows = await detectFile(cli);
    process.stderr.write(`citytwin detect: scored ${rows} readings with ${cli.detector} → ${cli.output}\n`);
    return 0;
  } catch (e) {
    if (e instanceof DetectInputError) {
      process.stderr.write(`citytwin detect: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
