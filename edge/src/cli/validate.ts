/**
 * `validate --config f`: loads the config exactly as `run` does (schema, profiles, secrets,
 * shared ports) without connecting anywhere. Exit 0 with a summary of devices and points, or
 * exit 2 with every error as `file: path (line L:C): message`, one per line.
 */
import { CityTwinError } from "@citytwin/model";
import { readEdgeConfigFile, type ResolvedEdgeConfig } from "../config/load";

export const validateUsage = `Usage: citytwin-edge validate --config <edge.yaml>

Checks an edge config (YAML syntax, schema, profiles, secrets, shared serial ports) without
connecting to anything. Prints a summary and exits 0, or prints every error as
"file: path (line L:C): message" to stderr and exits 2.
`;

/** Points per device: inline for OPC UA, from the device's profile otherwise. */
export function summarize(config: ResolvedEdgeConfig): string {
  const pointsOf = (d: ResolvedEdgeConfig["devices"][number]): number => {
    if (d.driver === "opcua") return d.points.length;
    const p = config.profileById[d.profile];
    return p === undefined ? 0 : p.driver === "mqtt-json" ? Object.keys(p.fields).length : p.points.length;
  };
  const lines = config.devices.map((d) => {
    const points = pointsOf(d);
    const via = d.driver === "opcua" ? d.endpoint : `profile ${d.profile}`;
    return `  ${d.id}  ${d.driver}  ${points} points  (${via})`;
  });
  const total = config.devices.reduce((n, d) => n + pointsOf(d), 0);
  return [
    `${config.file}: OK`,
    `gateway ${config.gateway.tenant}/${config.gateway.id}, broker ${config.mqtt.url}`,
    `${config.devices.length} devices, ${total} points, ${Object.keys(config.profileById).length} profiles loaded`,
    ...lines,
    `config hash ${config.hash}`,
    "",
  ].join("\n");
}

export function runValidate(config: string): number {
  try {
    process.stdout.write(summarize(readEdgeConfigFile(config, process.env)));
    return 0;
  } catch (err) {
    if (!(err instanceof CityTwinError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
}
