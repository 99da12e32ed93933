/** What every stage gets from the suite: where to write, how to run a bench, shared results. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import * as prettier from "prettier";
import { runChild, type ChildResult } from "./child";
import type { CommandRun } from "./types";

export interface Ctx {
  repo: string;
  quick: boolean;
  /** Absolute: the benches' own outputs (bench-results/…). */
  work: string;
  /** Absolute: the JSON and SVG kept beside the report (docs/benchmarks/). */
  assets: string;
  log(line: string): void;
  /** Child output lines. */
  echo(line: string): void;
  /** The ingest bench's highest sustained readings/s in this run (for the scaling latency point). */
  ingestPeak?: number;
  scalingSensors?: number[];
  scalingSeconds?: number;
}

export const rel = (ctx: Ctx, p: string) => relative(ctx.repo, p) || ".";

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
export const commandLine = (argv: string[]) => argv.map(quote).join(" ");

/** Runs `argv` from the repository root; the run's record has no JSON yet (see keepJson). */
export async function exec(
  ctx: Ctx,
  argv: string[],
  o: { timeoutS: number; watchGateway?: boolean },
): Promise<{ result: ChildResult; run: CommandRun }> {
  const command = commandLine(argv);
  ctx.log(`$ ${command}`);
  const result = await runChild(argv, { cwd: ctx.repo, echo: ctx.echo, ...o });
  const ok = result.code === 0 && !result.timedOut;
  return {
    result,
    run: {
      command,
      json: null,
      exitCode: result.code,
      seconds: Math.round(result.seconds * 10) / 10,
      ok,
      ...(ok
        ? {}
        : {
            error: result.timedOut
              ? `stopped after ${o.timeoutS} s without finishing`
              : `exit code ${result.code}: ${result.tail.split("\n").slice(-3).join(" / ").slice(0, 400)}`,
          }),
    },
  };
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

export async function writeFormatted(file: string, text: string, parser: "json" | "markdown"): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const config = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(text, { ...config, parser }));
}

/** Copies a bench's JSON (optionally slimmed) beside the report; returns its repo-relative path. */
export async function keepJson(ctx: Ctx, value: unknown, name: string): Promise<string> {
  const file = join(ctx.assets, name);
  await writeFormatted(file, JSON.stringify(value), "json");
  return rel(ctx, file);
}

export const num = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? "–" : Math.round(x).toLocaleString("en");
export const ms = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? "–" : x < 10 ? x.toFixed(1) : x.toFixed(0);
export const mib = (x: number | null | undefined) =>
  x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(1);
