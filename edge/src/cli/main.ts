/**
 * `citytwin-edge <command>`: the edge agent and its commissioning tools.
 *   run --config f        the agent (same code as edge/src/main.ts)
 *   validate --config f   check a config; errors name file, path and line
 *   modbus scan …         probe unit ids and dump registers in every interpretation
 *   opcua browse …        walk an OPC UA server and write a device config for its Variables
 *   provision …           exchange a one-time provisioning key for this gateway's MQTT secret
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { AGENT_VERSION } from "../version";
import { scanOptions, scanUsage, runModbusScan } from "./modbus-scan";
import { provisionUsage, runProvision } from "./provision";
import { runAgent, runUsage } from "./run";
import { runValidate, validateUsage } from "./validate";

const USAGE = `Usage: citytwin-edge <command> [options]   (version ${AGENT_VERSION})

Commands:
  run --config <edge.yaml>        run the edge agent
  validate --config <edge.yaml>   check a config without connecting; exit 2 on errors
  modbus scan …                   probe Modbus unit ids and dump registers in every type/byte order
  opcua browse …                  browse an OPC UA server and write a device config
  provision …                     exchange a one-time provisioning key for the MQTT secret

"citytwin-edge <command> --help" shows a command's options.
`;

const BROWSE_USAGE = `Usage: citytwin-edge opcua browse --endpoint opc.tcp://host:4840 --device-id <id>
         [--start /Objects/1:Plant] [--depth 5] [--out device.yaml] [--state-dir <dir>]

Walks the address space (security None, anonymous) from --start down --depth levels and writes
a ready-to-edit YAML device entry (paste under "devices:") with one point per Variable found,
addressed by browse path, each commented with its NodeId. Writes to stdout without --out.
--state-dir keeps the client's PKI (default: a directory under the system temp dir).
`;

type Io = { out: (s: string) => void; err: (s: string) => void };
const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Parses `argv` strictly; every option takes a value except --help. */
function options(
  argv: readonly string[],
  names: string[],
): Record<string, string | undefined> & { help?: boolean } {
  const spec = Object.fromEntries(names.map((n) => [n, { type: "string" as const }]));
  const { values } = parseArgs({
    args: [...argv],
    options: { ...spec, help: { type: "boolean", short: "h" } },
  });
  return values as Record<string, string | undefined> & { help?: boolean };
}

async function dispatch(argv: readonly string[], io: Io): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  if (cmd === undefined || cmd === "-h" || cmd === "--help" || cmd === "help") {
    io.out(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === "--version") {
    io.out(`${AGENT_VERSION}\n`);
    return 0;
  }
  if (cmd === "run") return runAgent(argv.slice(1), runUsage("citytwin-edge run"));
  if (cmd === "validate") {
    const v = options(argv.slice(1), ["config"]);
    if (v.help === true) return (io.out(validateUsage), 0);
    if (v.config === undefined) return (io.err(`missing --config\n${validateUsage}`), 2);
    return runValidate(v.config);
  }
  if (cmd === "modbus" && sub === "scan") {
    const names = ["host", "port", "serial", "baud", "parity", "data-bits", "stop-bits", "transport"];
    const v = options(rest, [...names, "units", "table", "start", "count", "timeout"]);
    if (v.help === true) return (io.out(scanUsage), 0);
    const { code, text } = await runModbusScan(scanOptions(v));
    io.out(text);
    return code;
  }
  if (cmd === "opcua" && sub === "browse") {
    const v = options(rest, ["endpoint", "device-id", "start", "depth", "out", "state-dir"]);
    if (v.help === true) return (io.out(BROWSE_USAGE), 0);
    if (v.endpoint === undefined || v["device-id"] === undefined)
      return (io.err(`--endpoint and --device-id are required\n${BROWSE_USAGE}`), 2);
    const depth = v.depth === undefined ? undefined : Number(v.depth);
    if (depth !== undefined && !(Number.isInteger(depth) && depth > 0))
      return (io.err("--depth must be a positive integer\n"), 2);
    // node-opcua loads only for this command (and for configs with opcua devices).
    const { runOpcuaBrowse } = await import("./opcua-browse");
    const yaml = await runOpcuaBrowse({
      endpoint: v.endpoint,
      deviceId: v["device-id"],
      ...(v.start === undefined ? {} : { start: v.start }),
      ...(depth === undefined ? {} : { maxDepth: depth }),
      stateDir: v["state-dir"] ?? join(tmpdir(), "citytwin-edge-cli"),
    });
    if (v.out === undefined) io.out(yaml);
    else {
      writeFileSync(v.out, yaml);
      io.err(`wrote ${v.out}\n`);
    }
    return 0;
  }
  if (cmd === "provision") {
    const v = options(argv.slice(1), ["gateway-url", "gateway-id", "key-env", "out", "env-var"]);
    if (v.help === true) return (io.out(provisionUsage), 0);
    const url = v["gateway-url"];
    const id = v["gateway-id"];
    if (url === undefined || id === undefined || v.out === undefined)
      return (io.err(`--gateway-url, --gateway-id and --out are required\n${provisionUsage}`), 2);
    return runProvision(
      {
        gatewayUrl: url,
        gatewayId: id,
        out: v.out,
        keyEnv: v["key-env"] ?? "CT_PROVISION_KEY",
        envVar: v["env-var"] ?? "CT_MQTT_PASSWORD",
      },
      io,
    );
  }
  const sub2 = cmd === "modbus" ? " (try: modbus scan)" : cmd === "opcua" ? " (try: opcua browse)" : "";
  io.err(`unknown command: ${argv.slice(0, 2).join(" ")}${sub2}\n${USAGE}`);
  return 2;
}

/** Runs one command; usage errors print the message and exit 2. */
export async function main(argv: readonly string[], io: Io = stdio): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    const usage = (err as { code?: unknown }).code;
    if (typeof usage === "string" && usage.startsWith("ERR_PARSE_ARGS")) {
      io.err(`${(err as Error).message}\n`);
      return 2;
    }
    if (err instanceof Error && !(err as { code?: unknown }).code && /^--/.test(err.message)) {
      io.err(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
