import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { CityTwinError, type CityModel } from "@citytwin/model";

/** Writes the city model as pretty JSON (parent directories created). */
export async function writeCityJson(city: CityModel, file: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(city, null, 1)}\n`, "utf8");
  } catch (cause) {
    throw new CityTwinError("SIM_WRITE_CITY", `cannot write city model to ${file}`, { cause });
  }
}
