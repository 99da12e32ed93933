/**
 * `npm start`: the whole CityTwin platform on one machine with simulated devices.
 * Run `npm start -- --help` for the knobs.
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchPlatform, type InfluxTarget, type Platform } from "./launch";
import { formatChildLine } from "./log-format";
import { buildViewer, viewerNeedsBuild } from "./viewer-build";

const REPO = resolve(fileURLToPath(import.meta.url), "../../../..");

const HELP = `CityTwin — run the whole platform with a simulated district (Hefei, Binhu)

Usage: npm start -- [options]

  --seed N               city model seed (default 42)
  --scale X              city size multiplier (default 1)
  --scenario FILE        incident scenario YAML (default simulators/scenarios/demo.yaml; "none" for none)
  --host ADDR            bind address for every server (default 127.0.0.1)
  --http-port N          viewer, HTTP API and WebSocket (default 8080)
  --mqtt-port N          gateway MQTT broker (default 1883)
  --modbus-port N        first simulated Modbus TCP port (default 15020)
  --opcua-port N         simulated OPC UA server (default 14840)
  --field-broker-port N  the smart poles' own MQTT broker (default 11884)
  --runtime-dir DIR      generated configs and state (default .runtime)
  --influx-url URL       also write to InfluxDB at URL (env CT_INFLUX_URL)
  --influx-db NAME       InfluxDB 1.x database (env CT_INFLUX_DB, default citytwin)
  --influx-org ORG       InfluxDB 2.x/3.x org; with a token selects the v2 API (env CT_INFLUX_ORG)
  --influx-bucket NAME   InfluxDB 2.x bucket (env CT_INFLUX_BUCKET, default citytwin)
                         the v2 token comes from env CT_INFLUX_TOKEN, never from the command line
  --verbose              print every log line of every process
  --help                 this text
`;

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "42" },
    scale: { type: "string", default: "1" },
    scenario: { type: "string", default: resolve(REPO, "simulators/scenarios/demo.yaml") },
    host: { type: "string", default: "127.0.0.1" },
    "http-port": { type: "string", default: "8080" },
    "mqtt-port": { type: "string", default: "1883" },
    "modbus-port": { type: "string", default: "15020" },
    "opcua-port": { type: "string", default: "14840" },
    "field-broker-port": { type: "string", default: "11884" },
    "runtime-dir": { type: "string", default: resolve(REPO, ".runtime") },
    "influx-url": { type: "string", default: process.env.CT_INFLUX_URL },
    "influx-db": { type: "string", default: process.env.CT_INFLUX_DB ?? "citytwin" },
    "influx-org": { type: "string", default: process.env.CT_INFLUX_ORG },
    "influx-bucket": { type: "string", default: process.env.CT_INFLUX_BUCKET ?? "citytwin" },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function port(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`--${name}: expected a port number 0-65535, got "${text}"\n`);
    process.exit(2);
  }
  return n;
}

function influxTarget(): InfluxTarget | undefined {
  const url = values["influx-url"];
  if (url === undefined || url === "") return undefined;
  const token = process.env.CT_INFLUX_TOKEN;
  const org = values["influx-org"];
  if (org !== undefined && token !== undefined)
    return { v2: { url, org, bucket: values["influx-bucket"], token } };
  return { v1: { url, database: values["influx-db"] } };
}

if (viewerNeedsBuild(REPO)) {
  console.log("Building the twin viewer …");
  buildViewer(REPO);
}

const influx = influxTarget();
const running: { platform?: Platform } = {};
const aborter = new AbortController();
let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log("Stopping …");
  aborter.abort(); // stops children still starting
  await running.platform?.stop();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

console.log(`Starting CityTwin (seed ${values.seed}) …`);
const platform = await launchPlatform({
  signal: aborter.signal,
  runtimeDir: values["runtime-dir"],
  seed: Number(values.seed),
  scale: Number(values.scale),
  scenario: values.scenario === "none" ? undefined : values.scenario,
  host: values.host,
  httpPort: port("http-port", values["http-port"]),
  mqttPort: port("mqtt-port", values["mqtt-port"]),
  modbusPort: port("modbus-port", values["modbus-port"]),
  opcuaPort: port("opcua-port", values["opcua-port"]),
  fieldBrokerPort: port("field-broker-port", values["field-broker-port"]),
  influx,
  logLevel: values.verbose ? "debug" : "info",
  onLine: (name, line) => {
    const text = formatChildLine(name, line, values.verbose);
    if (text !== undefined) console.log(text);
  },
  onUnexpectedExit: (name, code, signal) => {
    console.error(`[${name}] exited unexpectedly (${code ?? signal}); stopping the platform`);
    void shutdown(1);
  },
}).catch((err: unknown) => {
  if (!stopping) console.error(err instanceof Error ? err.message : err);
  process.exit(stopping ? 0 : 1);
});
running.platform = platform;

console.log(`
  CityTwin is running (secure mode: the API and /live need a token).
    Twin viewer   ${platform.viewerUrl}
                  (this link carries the viewer-role token of this run; every token is in
                   ${platform.tokenFile}: admin, operator, viewer)
    MQTT broker   ${platform.mqttUrl} (per-gateway credentials, generated for this run)
    HTTP API      ${platform.url}api/latest (Authorization: Bearer <token>)
    Alarms        ${platform.url}api/alarms
    Metrics       ${platform.url}metrics (admin token)
    InfluxDB      ${influx?.v2 ? `${influx.v2.url} (v2, bucket ${influx.v2.bucket})` : influx?.v1 ? `${influx.v1.url} (1.x, db ${influx.v1.database})` : "not configured (hot store only; --influx-url to add)"}
  Press Ctrl+C to stop.
`);
