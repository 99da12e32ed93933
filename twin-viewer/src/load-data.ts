/**
 * HTTP API reads, relative to the page (the gateway serves the viewer and the API on one origin):
 * GET api/city → CityModel (validated against the contract), GET api/latest → latest readings.
 */
import { cityModelSchema, latestReadingSchema, type CityModel, type LatestReading } from "@citytwin/model";

async function getJson(path: string): Promise<unknown> {
  const res = await fetch(new URL(path, document.baseURI), { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return res.json();
}

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
