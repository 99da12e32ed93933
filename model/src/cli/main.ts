/**
 * The `citytwin` command-line entry point (model/bin/citytwin.mjs runs it through tsx).
 * Dispatches to subcommands; resolves to the process exit code.
 */
import { detectCommand } from "./detect";

const COMMANDS: Record<string, { summary: string; run(argv: readonly string[]): Promise<number> }> = {
  detect: { summary: "score a timestamp,value CSV for anomalies (NAB results format)", run: detectCommand },
};

export const MAIN_USAGE = `usage: citytwin <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join("\n")}

Run "citytwin <command> --help" for a command's options.`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "-h" || command === "--help") {
    process.stdout.write(`${MAIN_USAGE}\n`);
    return 0;
  }
  const entry = command === undefined ? undefined : COMMANDS[command];
  if (entry === undefined) {
    process.stderr.write(
      `${command === undefined ? "missing command" : `unknown command ${command}`}\n\n${MAIN_USAGE}\n`,
    );
    return 2;
  }
  return entry.run(rest);
}
