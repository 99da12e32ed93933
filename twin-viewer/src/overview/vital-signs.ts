/**
 * City vital signs per district and per street inside it (asset.hierarchy): sensors reporting of
 * total, sensors by level, the worst level, active alarms. Areas and their sensors are grouped
 * once; each computation is one pass over the sensors' current states (cheap at 100k sensors).
 */
import { LEVELS, LEVEL_RANK, type Alarm, type Level, type LonLatH } from "@citytwin/model";
import type { CityIndex } from "../core/city-index";
import type { SensorState } from "../sensors/sensor-state";

export interface AreaSigns {
  district: string;
  /** Undefined for the district's own row. */
  street: string | undefined;
  sensorsTotal: number;
  /** With a reading that is not stale, on an online gateway. */
  sensorsReporting: number;
  /** Sensors with a reading, by the level of that reading. */
  byLevel: Record<Level, number>;
  worst: Level;
  activeAlarms: number;
}

export interface DistrictSigns extends AreaSigns {
  streets: AreaSigns[];
}

export interface SensorStates {
  state(id: string): SensorState | undefined;
  isOffline(id: string): boolean;
}

interface AreaGroup {
  district: string;
  street: string | undefined;
  sensorIds: string[];
  positions: LonLatH[];
}

const key = (district: string, street?: string) =>
  street === undefined ? district : `${district}\u0000${street}`;

/** The areas of the city (districts sorted, streets sorted inside), with their sensors and asset positions. */
export function groupAreas(index: CityIndex): Map<string, AreaGroup> {
  const groups = new Map<string, AreaGroup>();
  const group = (district: string, street?: string) => {
    const k = key(district, street);
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = { district, street, sensorIds: [], positions: [] }));
    return g;
  };
  const assets = [...index.assets.values()].sort(
    (a, b) =>
      a.hierarchy.district.localeCompare(b.hierarchy.district) ||
      a.hierarchy.street.localeCompare(b.hierarchy.street),
  );
  for (const asset of assets) {
    const { district, street } = asset.hierarchy;
    const sensors = (index.sensorsByAsset.get(asset.id) ?? []).map((s) => s.id);
    for (const g of [group(district), group(district, street)]) {
      g.sensorIds.push(...sensors);
      g.positions.push(asset.position);
    }
  }
  return groups;
}

function signsOf(g: AreaGroup, states: SensorStates, alarmsByArea: Map<string, number>): AreaSigns {
  const byLevel = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  let reporting = 0;
  let worst: Level = "normal";
  for (const id of g.sensorIds) {
    const st = states.state(id);
    if (st === undefined) continue;
    byLevel[st.level]++;
    if (LEVEL_RANK[st.level] > LEVEL_RANK[worst]) worst = st.level;
    if (st.quality !== "stale" && !states.isOffline(id)) reporting++;
  }
  return {
    district: g.district,
    street: g.street,
    sensorsTotal: g.sensorIds.length,
    sensorsReporting: reporting,
    byLevel,
    worst,
    activeAlarms: alarmsByArea.get(key(g.district, g.street)) ?? 0,
  };
}

export function computeSigns(
  groups: ReadonlyMap<string, AreaGroup>,
  states: SensorStates,
  alarms: Iterable<Alarm>,
): DistrictSigns[] {
  const alarmsByArea = new Map<string, number>();
  for (const a of alarms) {
    if (!a.active) continue;
    for (const k of [key(a.hierarchy.district), key(a.hierarchy.district, a.hierarchy.street)])
      alarmsByArea.set(k, (alarmsByArea.get(k) ?? 0) + 1);
  }
  const districts = new Map<string, DistrictSigns>();
  for (const g of groups.values()) {
    const signs = signsOf(g, states, alarmsByArea);
    if (g.street === undefined) districts.set(g.district, { ...signs, streets: [] });
    else districts.get(g.district)?.streets.push(signs);
  }
  return [...districts.values()];
}

/** The centre of an area's assets (where a click on its row flies to). */
export function areaCentre(
  groups: ReadonlyMap<string, AreaGroup>,
  district: string,
  street?: string,
): LonLatH | undefined {
  const g = groups.get(key(district, street));
  if (g === undefined || g.positions.length === 0) return undefined;
  let lon = 0;
  let lat = 0;
  for (const p of g.positions) {
    lon += p[0];
    lat += p[1];
  }
  return [lon / g.positions.length, lat / g.positions.length, 0];
}
