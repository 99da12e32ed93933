/**
 * Scenario files: labelled incidents injected into the simulated signals, with ground truth
 * for scoring detectors. File format v1 (YAML):
 *
 *   version: 1
 *   name: demo
 *   incidents:
 *     - { id: leak-1, type: gas_leak, target: 340111-GVC-00003, startS: 20, durationS: 60, severity: 0.8 }
 *
 * `target` is an asset id or a sensor id; `startS` counts seconds of simulated time after
 * the simulation start; the incident is active on [startS, startS + durationS).
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { CityTwinError, type CityModel } from "@citytwin/model";
import { describe, parseYaml } from "../yaml-errors";
import { resolveIncident } from "./incidents";

export const INCIDENT_TYPES = [
  "gas_leak",
  "pipe_burst",
  "waterlogging",
  "bridge_overload",
  "sensor_stuck",
  "sensor_drift",
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export const incidentSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, _ . or -"),
    type: z.enum(INCIDENT_TYPES),
    target: z.string().min(1),
    startS: z.number().min(0),
    durationS: z.number().positive(),
    /** 0..1; scales the effect's magnitude (default 0.7). */
    severity: z.number().min(0).max(1).optional(),
    /** Seconds after startS by which the platform must have raised its alarm (default 10). */
    deadlineS: z.number().positive().optional(),
  })
  .strict();
export type Incident = z.infer<typeof incidentSchema>;

export const scenarioSchema = z
  .object({
    version: z.literal(1),
    name: z.string().min(1),
    description: z.string().optional(),
    incidents: z.array(incidentSchema),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.incidents.forEach((inc, i) => {
      if (seen.has(inc.id))
        ctx.addIssue({
          code: "custom",
          path: ["incidents", i, "id"],
          message: `duplicate incident id ${inc.id}`,
        });
      seen.add(inc.id);
    });
  });
export type Scenario = z.infer<typeof scenarioSchema>;

export const DEFAULT_SEVERITY = 0.7;
export const DEFAULT_DEADLINE_S = 10;

/**
 * Parses and validates a scenario. With `city`, every target is also checked to exist and
 * to carry the sensors its incident type acts on. Errors name the file, path and line.
 */
export function parseScenario(text: string, file: string, city?: CityModel): Scenario {
  const { value, source } = parseYaml(text, file, scenarioSchema, "SIM_BAD_SCENARIO");
  if (city !== undefined) {
    value.incidents.forEach((incident, i) => {
      try {
        resolveIncident(incident, city);
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : String(cause);
        throw new CityTwinError("SIM_BAD_SCENARIO", describe(source, ["incidents", i, "target"], message), {
          cause,
        });
      }
    });
  }
  return value;
}

export async function loadScenario(file: string, city?: CityModel): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new CityTwinError("SIM_READ_SCENARIO", `cannot read scenario ${file}`, { cause });
  }
  return parseScenario(text, file, city);
}
