/**
 * The `citytwin detect` command line. Pure: returns what to do; the caller writes and exits.
 */
import { DEFAULT_SCORER, findScorerPreset, SCORER_PRESETS, type FullScaleRange } from "../detect/score";

export interface DetectRun {
  kind: "run";
  input: string;
  output: string;
  detector: string;
  range?: FullScaleRange;
}

export type DetectCli = DetectRun | { kind: "exit"; code: 0 | 2; out: "stdout" | "stderr"; text: string };

export const DETECT_USAGE = `usage: citytwin detect --input in.csv --output out.csv [--detector NAME] [--min N --max N]

Scores every reading of a time series for anomalies, strictly streaming (each score uses only
that reading and the ones before it), and writes NAB's results format.

  --input FILE     CSV with the header "timestamp,value" (CRLF, a BOM and blank lines are fine)
  --output FILE    CSV "timestamp,value,anomaly_score", one row per input row, in order;
                   the score is in [0, 1]
  --detector NAME  one of: ${SCORER_PRESETS.map((p) => p.name).join(", ")} (default ${DEFAULT_SCORER})
  --min N, --max N the sensor's full-scale range from its configuration, for range-aware
                   detectors; without it they learn a grid from the first readings
  -h, --help       this text

Timestamps: "YYYY-MM-DD HH:MM:SS[.fff]" or ISO 8601 (wall-clock fields are used as written;
a zone suffix is ignored, since the scorers use the local time of day), or epoch seconds/ms.

Detectors:
${SCORER_PRESETS.map((p) => `  ${p.name.padEnd(10)} ${p.description}`).join("\n")}`;

const VALUE_FLAGS = ["--input", "--output", "--detector", "--min", "--max"] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

function usageError(text: string): DetectCli {
  return { kind: "exit", code: 2, out: "stderr", text: `${text}\n\n${DETECT_USAGE}` };
}

export function parseDetectArgs(argv: readonly string[]): DetectCli {
  const given = new Map<ValueFlag, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "-h" || arg === "--help") return { kind: "exit", code: 0, out: "stdout", text: DETECT_USAGE };
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!(VALUE_FLAGS as readonly string[]).includes(flag)) return usageError(`unknown option ${arg}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") return usageError(`${flag} needs a value`);
    given.set(flag as ValueFlag, value);
  }
  const input = given.get("--input");
  const output = given.get("--output");
  if (input === undefined) return usageError("missing --input");
  if (output === undefined) return usageError("missing --output");
  const detector = given.get("--detector") ?? DEFAULT_SCORER;
  if (findScorerPreset(detector) === undefined) return usageError(`unknown detector ${detector}`);
  const minText = given.get("--min");
  const maxText = given.get("--max");
  if ((minText === undefined) !== (maxText === undefined)) return usageError("--min and --max go together");
  if (minText === undefined || maxText === undefined) return { kind: "run", input, output, detector };
  const min = Number(minText);
  const max = Number(maxText);
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(max > min)) {
    return usageError(`--min ${minText} --max ${maxText}: need numbers with min < max`);
  }
  return { kind: "run", input, output, detector, range: { min, max } };
}
