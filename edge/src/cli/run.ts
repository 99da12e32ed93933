/**
 * `run`: the agent itself. Logs pino JSON to stdout; logs `ready` after the first platform
 * connection; SIGTERM/SIGINT stop gracefully (flush, offline status) and resolve 0. A config
 * error goes to stderr and resolves 2. Shared by edge/src/main.ts and `citytwin-edge run`.
 */
import { pino } from "pino";
import { CityTwinError, parseConfigCli } from "@citytwin/model";
import { secretSafeLoggerOptions } from "@citytwin/model/node";
import { readEdgeConfigFile } from "../config/load";
import { EdgeAgent } from "../agent";
import { AGENT_VERSION } from "../version";

export const runUsage = (command: string) => `Usage: ${command} --config <edge.yaml>

CityTwin edge agent ${AGENT_VERSION}: bridges a gateway's field devices (Modbus, OPC UA,
JSON over MQTT) to the platform broker.

Options:
  -c, --config <file>   edge config (YAML, version 1)
  -h, --help            show this help
Environment:
  LOG_LEVEL             pino level (default info)
`;

export async function runAgent(argv: readonly string[], usage: string): Promise<number> {
  const cli = parseConfigCli(argv, usage);
  if (cli.kind === "exit") {
    (cli.out === "stdout" ? process.stdout : process.stderr).write(cli.text);
    return cli.code;
  }
  let config;
  try {
    config = readEdgeConfigFile(cli.config, process.env);
  } catch (err) {
    if (err instanceof CityTwinError) {
      process.stderr.write(`config error (${err.code}):\n${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = pino(
    secretSafeLoggerOptions(process.env.LOG_LEVEL ?? "info", { gatewayId: config.gateway.id }),
  );
  const agent = new EdgeAgent({ config, logger });
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      logger.info({ signal }, "stopping");
      await agent.stop();
      logger.info({ stats: agent.stats().publisher }, "stopped");
    })();
    return stopping;
  };
  const done = new Promise<void>((resolve) => {
    for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => void stop(sig).then(resolve));
  });
  await agent.start();
  logger.info(
    { configHash: config.hash, agentVersion: AGENT_VERSION, devices: config.devices.length },
    "starting",
  );
  await Promise.race([agent.connected(), done]);
  if (stopping === undefined) {
    logger.info(
      { gatewayId: config.gateway.id, devices: config.devices.length, configHash: config.hash },
      "ready",
    );
  }
  await done;
  return 0;
}
