/**
 * Test fixtures for the detector library: a hand-made mini city (positions in local metres)
 * and helpers to drive one sensor stack or an engine and collect what they emit.
 *
 *   gas pipes   GP-1 (0,0)→(200,0), GP-2 (200,0)→(400,0) [adjacent at a junction],
 *               GP-3 (1000,0)→(1200,0) [far away]
 *   assets      GPS-1/2/3 on those pipes (pressure); GVC-1 at (100,0) on GP-1 and MH-1 at
 *               (50,2.5) beside it (methane); MH-2 at (1100,2.5) by GP-3 (methane);
 *               WMN-1 (pressure + flow); DWL-1 (level); BRG-1 (strain_1..3, deflection_1);
 *               SPL-1 on gateway gw-b (pm25, 5 s device)
 */
import type { Asset, CityModel, Condition, LonLatH, Quality } from "../src";
import {
  applyOverride,
  createSensorState,
  defaultSensorProfile,
  resolveSensorConfig,
  updateSensor,
  type DetectStage,
  type ProfileOverride,
  type SensorConfig,
  type SensorState,
} from "../src/detect";

const CENTER: [number, number] = [117.29, 31.735];
const R = 6_371_008.8;

export function at(x: number, y: number, h = -1.2): LonLatH {
  const k = Math.PI / 180;
  return [CENTER[0] + x / (R * Math.cos(CENTER[1] * k) * k), CENTER[1] + y / (R * k), h];
}

const OWNER = { org: "test", person: "tester", phone: "0" };
const HIER = { city: "合肥市", district: "包河区", street: "s", grid: "g" };

export function miniCity(): CityModel {
  const assets: Asset[] = [];
  const devices: CityModel["devices"] = [];
  const sensors: CityModel["sensors"] = [];
  const add = (
    type: Asset["type"],
    n: number,
    xy: [number, number],
    keys: string[],
    ref?: string,
    gw = "gw-a",
  ) => {
    const id = `340111-${type}-${String(n).padStart(5, "0")}`;
    assets.push({
      id,
      type,
      name: `${type} ${n}`,
      nameZh: `${type}${n}号`,
      position: at(xy[0], xy[1]),
      hierarchy: HIER,
      owner: OWNER,
      gatewayId: gw,
      ...(ref === undefined ? {} : { ref }),
    });
    const deviceId = `${id}-D01`;
    devices.push({
      id: deviceId,
      assetId: id,
      gatewayId: gw,
      protocol: "modbus-tcp",
      model: "T",
      intervalMs: type === "SPL" ? 5000 : 1000,
    });
    for (const key of keys) {
      const kind = key.replace(/_\d+$/, "");
      sensors.push({
        id: `${deviceId}.${key}`,
        deviceId,
        assetId: id,
        key,
        kind,
        domain: "gas",
        position: at(xy[0], xy[1]),
      });
    }
  };
  add("GPS", 1, [100, 0], ["gas_pressure"], "GP-1");
  add("GPS", 2, [300, 0], ["gas_pressure"], "GP-2");
  add("GPS", 3, [1100, 0], ["gas_pressure"], "GP-3");
  add("GVC", 1, [100, 0], ["ch4"], "GN-1");
  add("MH", 1, [50, 2.5], ["ch4"], "GN-2");
  add("MH", 2, [1100, 2.5], ["ch4"], "GN-3");
  add("WMN", 1, [0, -300], ["water_pressure", "water_flow"], "WP-1");
  add("DWL", 1, [0, 300], ["water_level"], "DN-1");
  add("BRG", 1, [500, 500], ["strain_1", "strain_2", "strain_3", "deflection_1"], "BR-1");
  add("SPL", 1, [600, 600], ["pm25"], "ST-1", "gw-b");
  const pipe = (id: string, a: number, b: number) => ({
    id,
    network: "gas" as const,
    diameterMm: 200,
    material: "steel",
    path: [at(a, 0), at(b, 0)],
  });
  return {
    schema: "citytwin.city/v1",
    seed: 1,
    tenant: "test",
    city: { name: "Hefei", nameZh: "合肥市", adcode: "340100" },
    district: { name: "t", nameZh: "t", adcode: "340111", center: CENTER, bbox: [117, 31, 118, 32] },
    gateways: [
      { id: "gw-a", name: "a", position: at(0, 0, 0) },
      { id: "gw-b", name: "b", position: at(600, 600, 0) },
    ],
    streets: [],
    areas: [],
    buildings: [],
    pipes: [pipe("GP-1", 0, 200), pipe("GP-2", 200, 400), pipe("GP-3", 1000, 1200)],
    nodes: [],
    bridges: [],
    assets,
    devices,
    sensors,
  };
}

/** One sensor's stack with the kind's default profile, optionally overridden. */
export function stack(kind: string, override?: ProfileOverride, intervalMs = 1000) {
  const config: SensorConfig = resolveSensorConfig(
    applyOverride(defaultSensorProfile(kind), override),
    intervalMs,
  );
  const state: SensorState = createSensorState(config);
  return { config, state };
}

/** A reading for `feed`: [ts, value] or [ts, value, quality]. */
export type Point = readonly [number, number | null] | readonly [number, number | null, Quality];

/** Feeds points through a stack; returns the mask per point (0 = nothing changed). */
export function feed(
  s: { config: SensorConfig; state: SensorState },
  points: readonly Point[],
  stage: DetectStage = "full",
): number[] {
  return points.map((p) => updateSensor(s.state, s.config, p[0], p[1], p[2] ?? "good", stage));
}

/** `n` points every `stepMs` from `t0` with values f(k). */
export function series(t0: number, n: number, stepMs: number, f: (k: number) => number): Point[] {
  return Array.from({ length: n }, (_, k) => [t0 + k * stepMs, f(k)] as const);
}

/** Collects conditions, with a compact "key=level" trace. */
export function collector() {
  const all: Condition[] = [];
  return {
    all,
    on: (c: Condition) => void all.push(c),
    trace: () => all.map((c) => `${c.key}=${c.level}`),
    levels: (key: string) => all.filter((c) => c.key === key).map((c) => c.level),
  };
}
