/**
 * The load city: the demo's asset model (generateCity) tiled into districts, its assets dealt
 * out to K edge agents. District 0 is generateCity({ seed, scale, smartPoles }) unchanged, so
 * the demo scenario's targets (340111-GVC-00003, …) exist in it; district d > 0 uses seed + d,
 * a synthetic 6-digit adcode (700000 + d) in every id, and sits in its own tile east/north of
 * district 0 (so "nearest asset" lookups, e.g. a gas leak's pipe partner, stay in-district).
 * Only assets, devices and sensors are kept (the gateway needs no geometry), which keeps 1M
 * sensors well under 1 GB. Deterministic for the same options.
 */
import { generateCity, type GenerateCityOptions } from "../city";
import type { Asset, CityModel, Device, Sensor } from "@citytwin/model";

export interface LoadCityOptions {
  seed: number;
  /** Total sensors; the last device is trimmed to hit it exactly. */
  sensors?: number;
  /** Districts to tile (with `poles` / `lifeline`, or alone: whole districts). */
  districts?: number;
  /** Smart poles (SPL assets) per district, at most. */
  poles?: number;
  /** Lifeline assets (gas, water, drainage, bridge) per district, at most. */
  lifeline?: number;
  /** Edge agents (MQTT connections, one gateway id each). */
  agents: number;
  smartPoles?: GenerateCityOptions["smartPoles"];
  /** generateCity scale per district; default 1 (or larger when poles/lifeline ask for it). */
  districtScale?: number;
}

export interface LoadCity {
  city: CityModel;
  /** Agent gateway ids, in order; agent k owns a contiguous run of assets. */
  agents: string[];
  districts: number;
}

export const LOAD_AGENT_PREFIX = "load-gw-";
export const agentId = (k: number) => `${LOAD_AGENT_PREFIX}${String(k + 1).padStart(5, "0")}`;
const BASE_ADCODE = "340111";
const adcodeOf = (d: number) => (d === 0 ? BASE_ADCODE : String(700_000 + d));
const isPole = (a: Asset) => a.type === "SPL";

/** Whole-district scale that has at least `poles` and `lifeline` assets. */
function scaleFor(o: LoadCityOptions): number {
  let scale = o.districtScale ?? 1;
  if (o.poles === undefined && o.lifeline === undefined) return scale;
  for (; scale <= 400; scale *= 2) {
    const c = generateCity({ seed: o.seed, scale, smartPoles: o.smartPoles });
    const poles = c.assets.filter(isPole).length;
    if (poles >= (o.poles ?? 0) && c.assets.length - poles >= (o.lifeline ?? 0)) return scale;
  }
  throw new RangeError(`no district scale ≤ 400 has ${o.poles} poles and ${o.lifeline} lifeline assets`);
}

interface Inventory {
  assets: Asset[];
  devices: Device[];
  sensors: Sensor[];
}

/** District d's inventory with ids rewritten and positions moved into tile d. */
function district(
  o: LoadCityOptions,
  scale: number,
  d: number,
): { inv: Inventory; bbox: number[]; head: CityModel } {
  const c = generateCity({ seed: o.seed + d, scale, smartPoles: o.smartPoles });
  const [w, s, e, n] = c.district.bbox;
  const side = Math.ceil(Math.sqrt(Math.max(1, o.districts ?? 1)));
  const dLon = (e - w) * (d % side);
  const dLat = (n - s) * Math.floor(d / side);
  const code = adcodeOf(d);
  // Memoised, so a sensor shares its device's and asset's id strings and its asset's position.
  const ids = new Map<string, string>();
  const id = (x: string) => {
    if (d === 0) return x;
    let y = ids.get(x);
    if (y === undefined) ids.set(x, (y = code + x.slice(BASE_ADCODE.length)));
    return y;
  };
  const moved = new Map<number[], [number, number, number]>();
  const move = (p: number[]) => {
    let q = moved.get(p);
    if (q === undefined) moved.set(p, (q = [p[0]! + dLon, p[1]! + dLat, p[2] ?? 0]));
    return q;
  };
  let assets = c.assets;
  if (o.poles !== undefined || o.lifeline !== undefined) {
    const poles = assets.filter(isPole).slice(0, o.poles ?? Infinity);
    const lifeline = assets.filter((a) => !isPole(a)).slice(0, o.lifeline ?? Infinity);
    assets = [...lifeline, ...poles];
  }
  const keep = new Set(assets.map((a) => a.id));
  const inv: Inventory = {
    assets: assets.map((a) => ({
      ...a,
      id: id(a.id),
      position: move(a.position),
      hierarchy: { ...a.hierarchy, grid: id(a.hierarchy.grid) },
    })),
    devices: c.devices
      .filter((x) => keep.has(x.assetId))
      .map((x) => ({ ...x, id: id(x.id), assetId: id(x.assetId) })),
    sensors: c.sensors
      .filter((x) => keep.has(x.assetId))
      .map((x) => ({
        ...x,
        id: id(x.id),
        deviceId: id(x.deviceId),
        assetId: id(x.assetId),
        position: move(x.position),
      })),
  };
  return { inv, bbox: [w + dLon, s + dLat, e + dLon, n + dLat], head: c };
}

export function buildLoadCity(o: LoadCityOptions): LoadCity {
  if (o.sensors === undefined && o.districts === undefined)
    throw new RangeError("give --sensors or --districts");
  const scale = scaleFor(o);
  const all: Inventory = { assets: [], devices: [], sensors: [] };
  const bbox = [Infinity, Infinity, -Infinity, -Infinity];
  const want = o.sensors ?? Infinity;
  let d = 0;
  let base: CityModel | undefined;
  for (; d < (o.districts ?? Infinity) && all.sensors.length < want; d++) {
    const { inv, bbox: b, head } = district(o, scale, d);
    base ??= head;
    if (inv.sensors.length === 0)
      throw new RangeError("a district with no sensors: raise --poles/--lifeline");
    for (let i = 0; i < 4; i++) bbox[i] = i < 2 ? Math.min(bbox[i]!, b[i]!) : Math.max(bbox[i]!, b[i]!);
    for (const k of ["assets", "devices", "sensors"] as const)
      for (const x of inv[k]) all[k].push(x as never);
  }
  if (all.sensors.length > want) {
    all.sensors.length = want;
    const devs = new Set(all.sensors.map((s) => s.deviceId));
    all.devices = all.devices.filter((x) => devs.has(x.id));
    const assets = new Set(all.devices.map((x) => x.assetId));
    all.assets = all.assets.filter((a) => assets.has(a.id));
  }
  if (o.agents < 1 || o.agents > all.assets.length)
    throw new RangeError(`--agents must be in 1..${all.assets.length} (assets in this city)`);
  const agents = Array.from({ length: o.agents }, (_, k) => agentId(k));
  const owner = new Map<string, string>();
  all.assets.forEach((a, i) => {
    a.gatewayId = agents[Math.floor((i * o.agents) / all.assets.length)]!;
    owner.set(a.id, a.gatewayId);
  });
  for (const x of all.devices) x.gatewayId = owner.get(x.assetId)!;
  const city: CityModel = {
    schema: base!.schema,
    seed: o.seed,
    tenant: base!.tenant,
    city: base!.city,
    district: { ...base!.district, bbox: bbox as [number, number, number, number] },
    gateways: agents.map((g) => ({ id: g, name: g, position: all.assets[0]!.position })),
    streets: [],
    areas: [],
    buildings: [],
    pipes: [],
    nodes: [],
    bridges: [],
    ...all,
  };
  return { city, agents, districts: d };
}
