/**
 * The `--config <file> [--help]` command line shared by the CityTwin daemons (edge agent,
 * gateway). Pure: returns what to do; the caller writes and exits.
 */
export type ConfigCli =
  { kind: "run"; config: string } | { kind: "exit"; code: 0 | 2; out: "stdout" | "stderr"; text: string };

export function parseConfigCli(argv: readonly string[], usage: string): ConfigCli {
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") return { kind: "exit", code: 0, out: "stdout", text: usage };
    if (arg === "-c" || arg === "--config") {
      config = argv[++i];
      if (config === undefined)
        return { kind: "exit", code: 2, out: "stderr", text: `${arg} needs a file\n${usage}` };
    } else if (arg?.startsWith("--config=") === true) {
      config = arg.slice("--config=".length);
    } else {
      return { kind: "exit", code: 2, out: "stderr", text: `unknown option ${arg}\n${usage}` };
    }
  }
  if (config === undefined)
    return { kind: "exit", code: 2, out: "stderr", text: `missing --config\n${usage}` };
  return { kind: "run", config };
}
