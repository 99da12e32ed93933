/**
 * Detection bench on labelled scenarios: `npx tsx simulators/bench/detect/scenarios/main.ts`
 *
 *   --days N      clean run length in days (default 4: 4,384 sensor-days for the seed-42 city)
 *   --targets N   incidents per type (default 8)
 *   --seed N      target / severity choice (default 4)
 *   --cold        labelled runs start from a fresh engine (default: from the clean run's
 *                 final state, i.e. with learned daily-seasonal baselines)
 *   --json FILE   also write the full results as JSON
 *   --raw         score raw detector conditions instead of the alarm manager's alarms
 *
 * Runs the seed-42 city through the DetectionEngine with every device sampled at its
 * configured interval (1 s or 5 s), fast-forwarded: first the clean run (from 2025-06-02
 * 06:00 CST), then one labelled run per incident type, each restoring the clean run's final
 * snapshot and starting where it ended. Prints recall, time-to-detect, false alarms per
 * 1,000 sensor-days, peak conditions and alarms per 10 minutes, and the engine's cost per
 * reading. Figures are recorded in docs/alarm-defaults.md ("Measured").
 */
import { writeFileSync } from "node:fs";
import { generateCity } from "../../../src/city";
import { evaluateScenarios } from "./evaluate";
import { buildLabelledRuns, cleanRun, BENCH_START_MS } from "./labelled";
import { alarmManagerSink } from "./manager-sink";
import { markdownTable, summarise, throughputLines } from "./summary";
import { measureThroughput } from "./throughput";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? undefined : Number(process.argv[i + 1]);
  if (v !== undefined && !(Number.isFinite(v) && v > 0))
    throw new RangeError(`--${name} needs a positive number`);
  return v ?? fallback;
}

const days = flag("days", 4);
const targets = flag("targets", 8);
const seed = flag("seed", 4);
const jsonAt = process.argv.indexOf("--json");
const jsonFile = jsonAt < 0 ? undefined : process.argv[jsonAt + 1];

const city = generateCity({ seed: 42 });
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
log(`city: ${city.sensors.length} sensors, ${city.devices.length} devices`);

log("throughput: timing the engine on 300 s of city readings…");
const clean = cleanRun(days);
const cold = process.argv.includes("--cold");
const labelled = buildLabelledRuns(city, {
  targets,
  seed,
  startMs: clean.startMs + clean.durationMs,
  ...(cold ? {} : { restoreFrom: clean.name }),
});
const throughput = measureThroughput(city, BENCH_START_MS, { seconds: 300 });
console.log(throughputLines(throughput));

const runs = [clean, ...labelled];
const raw = process.argv.includes("--raw");
log(raw ? "scoring raw detector conditions (--raw)" : "scoring alarms: detectors → ISA-18.2 alarm manager");
const results = evaluateScenarios({
  city,
  ...(raw ? {} : { sink: alarmManagerSink(city) }),
  runs: runs.map((r) => {
    log(
      `queued ${r.name}: ${r.scenario.incidents.length} incidents, ${(r.durationMs / 3_600_000).toFixed(1)} h`,
    );
    return r;
  }),
  progress: log,
});
for (const r of results) {
  log(
    `${r.name}: ${r.readings.toLocaleString("en")} readings in ${(r.wallMs / 1000).toFixed(1)} s wall, engine ${r.engineNsPerReading.toFixed(0)} ns/reading`,
  );
  for (const i of r.incidents) {
    if (i.ttdMs === null || i.typedTtdMs === null)
      log(
        `  ${i.id} on ${i.target}: ${i.ttdMs === null ? "MISSED" : `detected in ${i.ttdMs / 1000} s`}, typed ${i.typedTtdMs === null ? "missed" : `${i.typedTtdMs / 1000} s`}`,
      );
  }
  if (r.falseAlarms > 0) log(`  false alarms by detector: ${JSON.stringify(r.falseByDetector)}`);
}
const summaries = results.map(summarise);
console.log();
console.log(markdownTable(summaries));
console.log();
console.log(throughputLines(throughput));
if (jsonFile !== undefined) {
  writeFileSync(jsonFile, `${JSON.stringify({ throughput, summaries, results }, null, 2)}\n`);
  log(`wrote ${jsonFile}`);
}
