/** Reads and validates the city model JSON named by the config (`city:`). */
import { readFile } from "node:fs/promises";
import { CityTwinError, cityModelSchema, type CityModel } from "@citytwin/model";

export interface LoadedCity {
  model: CityModel;
  /** The file's bytes as read, served verbatim at GET /api/city. */
  json: Buffer;
}

export async function loadCityFile(file: string): Promise<LoadedCity> {
  let json: Buffer;
  try {
    json = await readFile(file);
  } catch (cause) {
    throw new CityTwinError("CONFIG_READ", `cannot read city model ${file}`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString("utf8"));
  } catch (cause) {
    throw new CityTwinError("CONFIG_INVALID", `${file}: city model is not valid JSON`, { cause });
  }
  const parsed = cityModelSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".")}: ${i.message}`)
      .join("; ");
    throw new CityTwinError(
      "CONFIG_INVALID",
      `${file}: city model does not match citytwin.city/v1: ${first}`,
    );
  }
  return { model: parsed.data, json };
}
