import { describe, expect, it } from "vitest";
import { generateCity } from "../src/city";
import { MAX_UNITS_PER_PORT, planModbusEndpoints } from "../src/protocols";

describe("planModbusEndpoints", () => {
  it("gives each gateway one port at scale 1, covering every modbus device once", () => {
    const city = generateCity({ seed: 42 });
    const plan = planModbusEndpoints(city, 15020);
    expect(plan.map((e) => [e.gatewayId, e.port])).toEqual([
      ["gw-binhu-01", 15020],
      ["gw-binhu-02", 15021],
    ]);
    const ids = plan.flatMap((e) => e.units.map((u) => u.deviceId));
    expect(ids.sort()).toEqual(
      city.devices
        .filter((d) => d.protocol === "modbus-tcp")
        .map((d) => d.id)
        .sort(),
    );
    const profiles = new Set(plan.flatMap((e) => e.units.map((u) => u.profileId)));
    expect(profiles).toEqual(
      new Set([
        "ct-gd100-methane",
        "ct-gp200-gas-pressure",
        "ct-wm300-water-monitor",
        "ct-dl400-drainage-level",
      ]),
    );
  });

  it("opens further ports when a gateway has more than 247 devices", () => {
    const city = generateCity({ seed: 42, scale: 4 });
    const plan = planModbusEndpoints(city, 20000);
    expect(plan.length).toBeGreaterThan(2);
    expect(plan.map((e) => e.port)).toEqual(plan.map((_, i) => 20000 + i));
    for (const ep of plan) {
      expect(ep.units.length).toBeLessThanOrEqual(MAX_UNITS_PER_PORT);
      expect(ep.units[0]?.unitId).toBe(1);
      expect(ep.units.at(-1)?.unitId).toBe(ep.units.length);
    }
    const gws = new Set(plan.map((e) => e.gatewayId));
    expect(gws).toEqual(new Set(["gw-binhu-01", "gw-binhu-02"]));
  });
});
