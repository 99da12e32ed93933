import { describe, expect, it } from "vitest";
import { ASSET_ID, SENSOR_KINDS, cityModelSchema, kindOfKey, type CityModel } from "@citytwin/model";
import { BRIDGE_SENSORS, GATEWAY_EAST, GATEWAY_WEST, generateCity } from "../src/city";

const city: CityModel = generateCity({ seed: 42 });

function countBy<T>(xs: readonly T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

describe("generateCity", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    expect(JSON.stringify(generateCity({ seed: 42 }))).toBe(JSON.stringify(city));
    const other = generateCity({ seed: 7 });
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(city));
    expect(other.buildings.map((b) => b.heightM)).not.toEqual(city.buildings.map((b) => b.heightM));
  });

  it("validates against the wire contract's city schema", () => {
    const parsed = cityModelSchema.parse(JSON.parse(JSON.stringify(city)));
    expect(parsed.tenant).toBe("hefei");
    expect(parsed.city.adcode).toBe("340100");
    expect(parsed.district.adcode).toBe("340111");
  });

  it("sits in Hefei's Binhu new area, about 1.5 km × 1.2 km", () => {
    const [w, s, e, n] = city.district.bbox;
    expect((w + e) / 2).toBeCloseTo(117.29, 2);
    expect((s + n) / 2).toBeCloseTo(31.735, 2);
    const widthM = (e - w) * 111_320 * Math.cos((31.735 * Math.PI) / 180);
    const heightM = (n - s) * 110_574;
    expect(widthM).toBeGreaterThan(1400);
    expect(widthM).toBeLessThan(1800);
    expect(heightM).toBeGreaterThan(1100);
    expect(heightM).toBeLessThan(1500);
    for (const a of city.assets) {
      expect(a.position[0]).toBeGreaterThanOrEqual(w);
      expect(a.position[0]).toBeLessThanOrEqual(e);
      expect(a.position[1]).toBeGreaterThanOrEqual(s);
      expect(a.position[1]).toBeLessThanOrEqual(n);
    }
  });

  it("has streets of every class, a river with a three-span bridge, parks and buildings", () => {
    expect(new Set(city.streets.map((s) => s.class))).toEqual(new Set(["arterial", "secondary", "local"]));
    expect(city.streets.find((s) => s.nameZh === "紫云路")?.name).toBe("Ziyun Road");
    expect(city.areas.filter((a) => a.kind === "water")).toHaveLength(1);
    expect(city.areas.some((a) => a.kind === "green")).toBe(true);
    expect(city.bridges.length).toBeGreaterThan(0);
    for (const b of city.bridges) {
      expect(b.spanCount).toBe(3);
      expect(b.deck).toHaveLength(4);
      for (const p of b.deck) expect(p[2]).toBe(8);
    }
    expect(city.buildings.length).toBeGreaterThan(100);
    for (const b of city.buildings) {
      expect(b.heightM).toBeGreaterThanOrEqual(12);
      expect(b.heightM).toBeLessThanOrEqual(150);
    }
  });

  it("lays gas, water and drainage networks at their depths, with outfalls on the river", () => {
    const depth = { gas: -1.2, water: -1.5, drainage: -3 } as const;
    for (const p of city.pipes) for (const v of p.path) expect(v[2]).toBe(depth[p.network]);
    const kinds = countBy(city.nodes, (n) => n.kind);
    for (const k of ["junction", "valve_chamber", "manhole", "drainage_well", "outfall"])
      expect(kinds[k]).toBeGreaterThan(0);
  });

  it("instruments every asset type, both gateways hold modbus devices, sensor totals in range", () => {
    const types = countBy(city.assets, (a) => a.type);
    for (const t of ["GVC", "MH", "GPS", "WMN", "DWL", "BRG", "SPL"]) expect(types[t]).toBeGreaterThan(0);
    const modbusByGw = countBy(
      city.devices.filter((d) => d.protocol === "modbus-tcp"),
      (d) => d.gatewayId,
    );
    expect(modbusByGw[GATEWAY_WEST]).toBeGreaterThan(50);
    expect(modbusByGw[GATEWAY_EAST]).toBeGreaterThan(50);
    expect(city.sensors.length).toBeGreaterThanOrEqual(600);
    expect(city.sensors.length).toBeLessThanOrEqual(1500);
    const bigger = generateCity({ seed: 42, scale: 4 });
    expect(bigger.sensors.length).toBeGreaterThan(3 * city.sensors.length);
  });

  it("gives every id once, and keeps ids, kinds and domains consistent", () => {
    const all = [
      ...city.assets.map((a) => a.id),
      ...city.devices.map((d) => d.id),
      ...city.sensors.map((s) => s.id),
    ];
    expect(new Set(all).size).toBe(all.length);
    for (const group of [city.pipes, city.nodes, city.streets, city.buildings, city.areas, city.bridges]) {
      const ids = group.map((x) => x.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const assets = new Map(city.assets.map((a) => [a.id, a]));
    const devices = new Map(city.devices.map((d) => [d.id, d]));
    for (const s of city.sensors) {
      expect(s.kind).toBe(kindOfKey(s.key));
      const kind = (SENSOR_KINDS as Record<string, { domain: string }>)[s.kind];
      expect(kind?.domain).toBe(s.domain);
      expect(devices.get(s.deviceId)?.assetId).toBe(s.assetId);
    }
    for (const d of city.devices) {
      expect(assets.get(d.assetId)?.gatewayId).toBe(d.gatewayId);
      expect(d.intervalMs).toBe(d.protocol === "mqtt-pole" ? 5000 : 1000);
    }
    for (const a of city.assets) {
      expect(a.id).toMatch(ASSET_ID);
      expect(a.hierarchy.city).toBe("合肥市");
      expect(a.hierarchy.district).toBe("包河区");
      expect(a.owner.phone).toMatch(/^0551-6\d{7}$/);
      if (["GVC", "MH", "GPS", "WMN", "DWL"].includes(a.type)) expect(a.position[2]).toBeLessThan(0);
      expect(a.gatewayId).toBe(a.position[0] < 117.29 ? GATEWAY_WEST : GATEWAY_EAST);
    }
  });

  it("gives the bridge station its eight SHM sensors and one pole in three an environment sensor", () => {
    const brg = city.assets.find((a) => a.type === "BRG");
    expect(brg?.ref).toBe(city.bridges.find((b) => b.id === brg?.ref)?.id);
    const keys = city.sensors.filter((s) => s.assetId === brg?.id).map((s) => s.key);
    expect(keys).toEqual(BRIDGE_SENSORS.map((s) => s.key));
    const poles = city.assets.filter((a) => a.type === "SPL");
    const withEnv = poles.filter((p) => city.devices.some((d) => d.id === `${p.id}-D02`));
    expect(withEnv.length).toBe(Math.ceil(poles.length / 3));
  });
});
