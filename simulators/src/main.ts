/**
 * CityTwin simulators CLI: generates (or reads) the city, writes one edge config per gateway
 * (and ground truth for a scenario), starts the Modbus TCP, OPC UA and smart-pole simulators,
 * then logs one `"msg":"ready"` line with ports and file paths. SIGTERM/SIGINT stop cleanly.
 *
 *   tsx simulators/src/main.ts --out .runtime/sim [--city city.json | --seed 42 --scale 1]
 *     [--scenario simulators/scenarios/demo.yaml] [--host 127.0.0.1] [--modbus-port 15020]
 *     [--opcua-port 14840] [--field-broker-port 11884 | --field-broker-url mqtt://…]
 *     [--mqtt-url mqtt://127.0.0.1:1883] [--time-scale 1]
 */
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { CityTwinError, type CityModel } from "@citytwin/model";
import { generateCity, readCityJson, writeCityJson } from "./city";
import { loadScenario } from "./signals";
import { startSimulators } from "./run";

const HELP = `Usage: tsx simulators/src/main.ts --out <dir> [options]

  --out <dir>                 output directory (required)
  --city <city.json>          use this city model; omitted: generate one (written to <out>/city.json)
  --seed <n>                  generator seed (default 42)
  --scale <x>                 generator scale, multiplies counts (default 1)
  --scenario <file.yaml>      incident scenario; writes <out>/ground-truth.json
  --host <addr>               bind address of every simulator (default 127.0.0.1)
  --modbus-port <n>           first Modbus TCP port; one per gateway (default 15020)
  --opcua-port <n>            OPC UA server port (default 14840)
  --field-broker-port <n>     embedded pole field broker port (default 11884)
  --field-broker-url <url>    use an external field broker instead of the embedded one
  --mqtt-url <url>            platform broker written into the edge configs (default mqtt://127.0.0.1:1883)
  --time-scale <x>            simulated seconds per real second (default 1)
  --pole-interval-ms <n>      pole publish interval (default 5000)
  -h, --help                  this help

Environment: LOG_LEVEL (default info). Logs are pino JSON on stdout.`;

function num(name: string, v: string | undefined, fallback: number, integer = true): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new CityTwinError(
      "SIM_BAD_ARG",
      `--${name} must be ${integer ? "an integer" : "a number"}, got ${v}`,
    );
  }
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      city: { type: "string" },
      seed: { type: "string" },
      scale: { type: "string" },
      scenario: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      "modbus-port": { type: "string" },
      "opcua-port": { type: "string" },
      "field-broker-port": { type: "string" },
      "field-broker-url": { type: "string" },
      "mqtt-url": { type: "string", default: "mqtt://127.0.0.1:1883" },
      "time-scale": { type: "string" },
      "pole-interval-ms": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const logger = pino({ level: process.env.LOG_LEVEL ?? "info", base: { app: "simulators" } });
  if (values.out === undefined)
    throw new CityTwinError("SIM_BAD_ARG", "--out <dir> is required (see --help)");
  const outDir = resolve(values.out);

  let city: CityModel;
  let cityFile: string;
  if (values.city !== undefined) {
    cityFile = resolve(values.city);
    city = await readCityJson(cityFile);
  } else {
    city = generateCity({ seed: num("seed", values.seed, 42), scale: num("scale", values.scale, 1, false) });
    cityFile = join(outDir, "city.json");
    await writeCityJson(city, cityFile);
  }
  const timeScale = num("time-scale", values["time-scale"], 1, false);
  if (!(timeScale > 0)) throw new CityTwinError("SIM_BAD_ARG", `--time-scale must be > 0, got ${timeScale}`);
  const scenarioFile = values.scenario === undefined ? undefined : resolve(values.scenario);
  const scenario = scenarioFile === undefined ? undefined : await loadScenario(scenarioFile, city);

  const sims = await startSimulators({
    city,
    ...(scenario === undefined ? {} : { scenario }),
    outDir,
    host: values.host,
    modbusPort: num("modbus-port", values["modbus-port"], 15020),
    opcuaPort: num("opcua-port", values["opcua-port"], 14840),
    fieldBrokerPort: num("field-broker-port", values["field-broker-port"], 11884),
    ...(values["field-broker-url"] === undefined ? {} : { fieldBrokerUrl: values["field-broker-url"] }),
    mqttUrl: values["mqtt-url"],
    timeScale,
    ...(values["pole-interval-ms"] === undefined
      ? {}
      : { poleIntervalMs: num("pole-interval-ms", values["pole-interval-ms"], 5000) }),
    logger,
  });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    sims.stop().then(
      () => {
        logger.info({}, "stopped");
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  logger.info(
    {
      host: values.host,
      modbus: sims.modbus.map((e) => ({ gatewayId: e.gatewayId, port: e.port, units: e.units.length })),
      opcua: sims.opcuaEndpoint,
      fieldBroker: sims.fieldBrokerUrl,
      mqttUrl: values["mqtt-url"],
      city: cityFile,
      edgeConfigs: sims.edgeConfigFiles,
      groundTruth: sims.groundTruthFile,
      scenario: scenarioFile,
      startMs: sims.clock.startMs,
      timeScale: sims.clock.timeScale,
      sensors: city.sensors.length,
    },
    "ready",
  );
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof CityTwinError ? err.code : "SIM_FATAL";
  process.stderr.write(
    `${JSON.stringify({ level: 60, app: "simulators", code, err: message, msg: "fatal" })}\n`,
  );
  process.exit(1);
});
