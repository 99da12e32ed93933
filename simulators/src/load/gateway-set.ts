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
