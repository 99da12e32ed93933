/**
 * NAB benchmark for the streaming anomaly scorers (model/src/detect/score):
 *
 *   npx tsx simulators/bench/detect/nab/main.ts [--data DIR] [--out DIR] [--only TEXT] [--passes N]
 *
 * Runs every configuration over the NAB subset (default ../shared/data/nab beside the repo),
 * scores it with our NAB scorer (./nab-scorer.ts) for the three profiles, times it, and
 * prints a table of score against cost per reading; also writes nab-detect.json and
 * nab-detect.md to --out (default bench-results/).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { benchConfigs } from "./configs";
import { loadNabCorpus } from "./corpus";
import { planSweep, scoreProfile } from "./nab-scorer";
import { machineInfo, markdownReport, PUBLISHED_STANDARD, textTable, type ResultRow } from "./report";
import { runConfig } from "./run-config";
import { loadSensorRanges } from "./sensor-ranges";
import { sensitivityConfigs } from "./sensitivity";

const USAGE = `usage: npx tsx simulators/bench/detect/nab/main.ts [options]
  --data DIR     NAB data folder (default: ../shared/data/nab beside the repo)
  --out DIR      where to write nab-detect.json and nab-detect.md (default: bench-results/)
  --only TEXT    run only configurations whose label contains TEXT
  --passes N     timed passes per configuration, best kept (default 3)
  --sensitivity  instead: the full stack with each parameter moved one step either side`;

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

interface Args {
  data: string;
  out: string;
  only: string;
  passes: number;
  sensitivity: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    data: resolve(REPO_ROOT, "../shared/data/nab"),
    out: "bench-results",
    only: "",
    passes: 3,
    sensitivity: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    if (flag === "--sensitivity") {
      args.sensitivity = true;
      continue;
    }
    if (value === undefined || !["--data", "--out", "--only", "--passes"].includes(flag ?? "")) {
      console.error(`${flag} ${value === undefined ? "needs a value" : "is not an option"}\n${USAGE}`);
      process.exit(2);
    }
    if (flag === "--data") args.data = resolve(value);
    else if (flag === "--out") args.out = value;
    else if (flag === "--only") args.only = value;
    else args.passes = Math.max(1, Number.parseInt(value, 10) || 1);
    i++;
  }
  return args;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const corpus = loadNabCorpus(args.data);
  const plan = planSweep(corpus.files);
  const rows = corpus.files.reduce((n, f) => n + f.rows, 0);
  const windows = corpus.files.reduce((n, f) => n + f.windows.length, 0);
  const corpusNote =
    `Corpus: ${corpus.files.length} files, ${rows} readings, ${windows} anomaly windows from ${args.data}. ` +
    `This is a subset of NAB's 58 files, so scores are not directly comparable with the published ` +
    `full-corpus scoreboard. Thresholds are optimised per profile over the whole subset, as NAB does.`;
  console.log(corpusNote);
  const machine = machineInfo();
  console.log(
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; timing on one thread.\n`,
  );

  const results: ResultRow[] = [];
  const ranges = loadSensorRanges();
  const configs = args.sensitivity
    ? [...sensitivityConfigs(), ...sensitivityConfigs(ranges)]
    : benchConfigs(ranges);
  for (const config of configs) {
    if (!config.label.includes(args.only)) continue;
    const t0 = Date.now();
    const run = runConfig(config, corpus.files, args.passes);
    for (const s of run.scores) {
      if (!(s >= 0 && s <= 1)) throw new Error(`${config.label}: score ${s} outside [0, 1]`);
    }
    const [standard, lowFp, lowFn] = (["standard", "reward_low_FP_rate", "reward_low_FN_rate"] as const).map(
      (p) => scoreProfile(plan, run.scores, corpus.profiles[p]),
    );
    if (standard === undefined || lowFp === undefined || lowFn === undefined) throw new Error("no profile");
    results.push({
      label: config.label,
      standard: standard.normalised,
      lowFp: lowFp.normalised,
      lowFn: lowFn.normalised,
      threshold: standard.threshold,
      tp: standard.tp,
      fp: standard.fp,
      nsPerReading: run.nsPerReading,
      stateBytes: run.stateBytes,
    });
    console.log(
      `  ${config.label}: standard ${standard.normalised.toFixed(1)}, ` +
        `${run.nsPerReading.toFixed(0)} ns/reading (${Date.now() - t0} ms)`,
    );
  }

  console.log(`\n${textTable(results)}\n`);
  console.log("Published standard-profile scores (full 58-file corpus):");
  console.log(
    PUBLISHED_STANDARD.map(([name, score]) => `  ${name.padEnd(22)} ${score.toFixed(1)}`).join("\n"),
  );

  mkdirSync(args.out, { recursive: true });
  const json = { corpus: corpusNote, machine, results, published: Object.fromEntries(PUBLISHED_STANDARD) };
  const stem = args.sensitivity ? "nab-detect-sensitivity" : "nab-detect";
  writeFileSync(join(args.out, `${stem}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(args.out, `${stem}.md`), markdownReport(results, machine, corpusNote));
  console.log(`\nWrote ${join(args.out, stem)}.json and .md`);
}

main();
