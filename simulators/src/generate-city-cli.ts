/**
 * Writes a generated city model: tsx simulators/src/generate-city-cli.ts --seed 42 --scale 1 --out city.json
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { CityTwinError } from "@citytwin/model";
import { generateCity, writeCityJson } from "./city";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: "string", default: "42" },
      scale: { type: "string", default: "1" },
      out: { type: "string", default: "city.json" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(
      "Usage: tsx simulators/src/generate-city-cli.ts [--seed 42] [--scale 1] [--out city.json]\n",
    );
    return;
  }
  const seed = Number(values.seed);
  const scale = Number(values.scale);
  if (!Number.isInteger(seed))
    throw new CityTwinError("SIM_BAD_ARG", `--seed must be an integer, got ${values.seed}`);
  if (!Number.isFinite(scale))
    throw new CityTwinError("SIM_BAD_ARG", `--scale must be a number, got ${values.scale}`);
  const city = generateCity({ seed, scale });
  const out = resolve(values.out);
  await writeCityJson(city, out);
  process.stdout.write(
    `${JSON.stringify({ msg: "city written", file: out, seed, scale, assets: city.assets.length, sensors: city.sensors.length })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
