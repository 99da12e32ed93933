/**
 * Gateway CLI: `tsx gateway/src/main.ts --config gateway.yaml`.
 * Logs pino JSON to stdout (level from LOG_LEVEL, default info). When listening it logs one
 * line `{"msg":"ready","mqttPort":…,"httpPort":…,"url":…}`. Exit codes: 0 after SIGTERM/SIGINT
 * and a graceful stop, 2 for usage or config errors (message on stderr), 1 for other failures.
 */
import { CityTwinError, parseConfigCli } from "@citytwin/model";
import { loadGatewayConfigFile } from "./config/load";
import { Gateway } from "./gateway";
import { createGatewayLogger } from "./logging";

const USAGE = `usage: tsx gateway/src/main.ts --config <gateway.yaml>

  --config, -c   gateway config file (YAML, version 1; see gateway/README.md)
  --help, -h     show this help

Environment: LOG_LEVEL (trace|debug|info|warn|error, default info), plus the variables the
config names for InfluxDB credentials (influx.v2.tokenEnv, influx.v1.usernameEnv/passwordEnv).
`;

async function main(): Promise<number> {
  const cli = parseConfigCli(process.argv.slice(2), USAGE);
  if (cli.kind === "exit") {
    (cli.out === "stdout" ? process.stdout : process.stderr).write(cli.text);
    return cli.code;
  }
  let config;
  try {
    config = await loadGatewayConfigFile(cli.config, process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  // Redaction of secret fields and of credentials in URLs and messages: ./logging.ts.
  const logger = createGatewayLogger(process.env.LOG_LEVEL ?? "info", {
    svc: "gateway",
    tenant: config.tenant,
  });
  const gateway = new Gateway({ config, logger, defaultMetrics: true });
  try {
    const addr = await gateway.start();
    logger.info({ ...addr, mode: config.mode }, "ready");
  } catch (err) {
    logger.error({ err }, "gateway failed to start");
    await gateway.stop().catch(() => undefined);
    if (err instanceof CityTwinError && (err.code === "CONFIG_INVALID" || err.code === "CONFIG_READ")) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    return 1;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  logger.info({ signal }, "stopping");
  const force = setTimeout(() => {
    logger.error({}, "graceful stop timed out");
    process.exit(1);
  }, 15_000);
  force.unref();
  await gateway.stop();
  logger.info({}, "stopped");
  return 0;
}

process.exitCode = await main();
