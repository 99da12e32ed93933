/**
 * Device profiles, read from the same YAML files the edge agent uses (edge/profiles/*.yaml),
 * validated with the edge's own schema so simulator and agent cannot disagree on a map.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CityTwinError } from "@citytwin/model";
import { profileSchema, type Profile } from "@citytwin/edge";
import { parseYaml } from "../yaml-errors";

/** The repository's edge/profiles directory. */
export const DEFAULT_PROFILE_DIR = resolve(fileURLToPath(import.meta.url), "../../../../edge/profiles");

/** Loads every *.yaml/*.yml profile in `dir`, keyed by profile id. */
export async function loadProfiles(dir: string = DEFAULT_PROFILE_DIR): Promise<Map<string, Profile>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (cause) {
    throw new CityTwinError("SIM_PROFILE_DIR", `cannot read profile directory ${dir}`, { cause });
  }
  const profiles = new Map<string, Profile>();
  for (const name of names) {
    const file = join(dir, name);
    const { value } = parseYaml(await readFile(file, "utf8"), file, profileSchema, "SIM_BAD_PROFILE");
    if (profiles.has(value.id))
      throw new CityTwinError("SIM_BAD_PROFILE", `${file}: duplicate profile id ${value.id}`);
    profiles.set(value.id, value);
  }
  return profiles;
}
