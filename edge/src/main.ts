/**
 * `tsx edge/src/main.ts --config edge.yaml [--help]`: the agent (see cli/run.ts). Kept as the
 * entry the launcher spawns; `citytwin-edge run` (cli/main.ts) is the same code.
 */
import { runAgent, runUsage } from "./cli/run";

runAgent(process.argv.slice(2), runUsage("tsx edge/src/main.ts")).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
