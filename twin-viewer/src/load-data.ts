/**
 * HTTP API reads, relative to the page (the gateway serves the viewer and the API on one origin):
 * GET api/city → CityModel (validated against the contract), GET api/latest → latest readings,
 * GET healthz → the gateway's mode. Reads send the bearer token (./auth.ts); a 401/403 becomes
 * an AuthError so the app can show the login state.
 */
import { cityModelSchema, latestReadingSchema, type CityModel, type LatestReading } from "@citytwin/model";
import { z } from "zod";
import { AuthError } from "./auth";
import { apiGet } from "./core/api";

/** The body of a read, unchecked; each loader below validates what it needs. */
const getJson = (path: string): Promise<unknown> => apiGet(path, z.unknown());

export async function loadCity(): Promise<CityModel> {
  const parsed = cityModelSchema.safeParse(await getJson("api/city"));
  if (!parsed.success) throw new Error(`GET api/city: not a citytwin.city/v1 model: ${parsed.error.message}`);
  return parsed.data;
}

/** Latest readings; malformed entries are skipped. An unavailable endpoint yields none. */
export async function loadLatest(): Promise<LatestReading[]> {
  let body: unknown;
  try {
    body = await getJson("api/latest");
  } catch {
    return [];
  }
  const list = (body as { readings?: unknown } | null)?.readings;
  if (!Array.isArray(list)) return [];
  const out: LatestReading[] = [];
  for (const item of list) {
    const r = latestReadingSchema.safeParse(item);
    if (r.success) out.push(r.data);
  }
  return out;
}

/** Probes whether the token still works (after `/live` refused to open); undefined when it does. */
export async function checkAccess(): Promise<AuthError | undefined> {
  try {
    await getJson("api/latest");
    return undefined;
  } catch (err) {
    return err instanceof AuthError ? err : undefined;
  }
}

/** The gateway's security mode from the open `healthz`; undefined when it cannot be read. */
export async function loadMode(): Promise<"secure" | "demo" | undefined> {
  try {
    const res = await fetch(new URL("healthz", document.baseURI), {
      headers: { accept: "application/json" },
    });
    if (!res.ok) return undefined;
    const mode = ((await res.json()) as { mode?: unknown } | null)?.mode;
    return mode === "demo" || mode === "secure" ? mode : undefined;
  } catch {
    return undefined;
  }
}
