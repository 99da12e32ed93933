import { describe, expect, it } from "vitest";
import {
  assetId,
  assetOfDevice,
  deviceId,
  kindOfKey,
  levelFor,
  ngsiLdUrn,
  parseSensorId,
  qualityFromOpcUaStatus,
  SENSOR_KINDS,
  sensorId,
} from "../src";

describe("identity scheme", () => {
  it("composes asset, device and sensor ids and splits them back", () => {
    const a = assetId("340111", "GVC", 7);
    const d = deviceId(a, 1);
    const s = sensorId(d, "ch4");
    expect([a, d, s]).toEqual(["340111-GVC-00007", "340111-GVC-00007-D01", "340111-GVC-00007-D01.ch4"]);
    expect(parseSensorId(s)).toEqual({ deviceId: d, key: "ch4" });
    expect(assetOfDevice(d)).toBe(a);
    expect(parseSensorId("340111-GVC-00007.ch4")).toBeUndefined();
  });
  it("exports NGSI-LD URNs", () => {
    expect(ngsiLdUrn("Streetlight", "340111-SPL-00012")).toBe("urn:ngsi-ld:Streetlight:340111-SPL-00012");
  });
  it("derives the kind of numbered keys", () => {
    expect(kindOfKey("strain_2")).toBe("strain");
    expect(kindOfKey("noise_laeq")).toBe("noise_laeq");
  });
});

describe("four-level thresholds", () => {
  const ch4 = SENSOR_KINDS.ch4.thresholds;
  it.each([
    [0, "normal"],
    [9.99, "normal"],
    [10, "blue"],
    [24.9, "yellow"],
    [25, "orange"],
    [50, "red"],
    [Number.NaN, "normal"],
  ] as const)("methane %s %%LEL is %s (GB/T 50493-2019 first alarm 25, second 50)", (v, level) => {
    expect(levelFor(ch4, v)).toBe(level);
  });
  it("low-direction thresholds rise as the value falls", () => {
    const p = SENSOR_KINDS.water_pressure.thresholds;
    expect(levelFor(p, 300)).toBe("normal");
    expect(levelFor(p, 250)).toBe("blue");
    expect(levelFor(p, 100)).toBe("red");
  });
});

describe("OPC UA StatusCode to quality [OPC 10000-4 §7.39]", () => {
  it.each([
    [0x00000000, "good"], // Good
    [0x40000000, "uncertain"], // Uncertain
    [0x408f0000, "uncertain"], // UncertainLastUsableValue
    [0x80000000, "bad"], // Bad
    [0x808a0000, "bad"], // BadNoCommunication
    [0x80310000, "bad"], // BadNodeIdUnknown
  ] as const)("0x%s", (code, q) => {
    expect(qualityFromOpcUaStatus(code)).toBe(q);
  });
});
