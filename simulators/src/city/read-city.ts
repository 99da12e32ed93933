import { readFile } from "node:fs/promises";
import { CityTwinError, cityModelSchema, type CityModel } from "@citytwin/model";

/** Reads and validates a city.json; errors name the file and the first failing path. */
export async function readCityJson(file: string): Promise<CityModel> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new CityTwinError("SIM_READ_CITY", `cannot read city model ${file}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new CityTwinError("SIM_BAD_CITY", `${file}: not valid JSON`, { cause });
  }
  const parsed = cityModelSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? "" : ` at ${issue.path.join(".") || "(root)"}: ${issue.message}`;
    throw new CityTwinError("SIM_BAD_CITY", `${file}: invalid city model${where}`, { cause: parsed.error });
  }
  return parsed.data;
}
