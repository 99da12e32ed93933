/**
 * `--gateway-set path=value` (repeatable) for every command that writes a CityTwin gateway
 * config: the load generator's spawned gateway, bench:broker and bench:ingest. It sets one
 * key, e.g. `ingest.decodeThreads=0` or `influx.concurrency=1`, so a setting can be compared
 * against the defaults with the same command. The value is parsed as JSON when it is JSON
 * (numbers, booleans, objects), else taken as a string. The gateway validates the result as
 * it does any config file.
 */
export function parseGatewaySets(args: readonly string[] = []): [path: string[], value: unknown][] {
  return args.map((arg) => {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new Error(`--gateway-set ${arg}: expected path=value, e.g. ingest.decodeThreads=0`);
    const text = arg.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // a plain string
    }
    return [arg.slice(0, eq).split("."), value];
  });
}

/** Applies the sets to `config` in place (creating objects along the path) and returns it. */
export function applyGatewaySets<T extends Record<string, unknown>>(
  config: T,
  sets: readonly [string[], unknown][],
): T {
  for (const [path, value] of sets) {
    let node: Record<string, unknown> = config;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== "object" || next === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1] as string] = value;
  }
  return config;
}

/**
 * The gateway config every bench and the load generator start from: demo mode, loopback on
 * free ports, the city next to the config file; `extra` on top, then the `--gateway-set`s.
 */
export function benchGatewayConfig(
  tenant: string,
  extra: Record<string, unknown>,
  sets: readonly [string[], unknown][],
): Record<string, unknown> {
  const base = {
    version: 1,
    tenant,
    mode: "demo",
    mqtt: { host: "127.0.0.1", port: 0 },
    http: { host: "127.0.0.1", port: 0 },
    city: "city.json",
    ...extra,
  };
  return applyGatewaySets(base, sets);
}
