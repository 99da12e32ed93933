import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  commandResultSchema,
  commandSchema,
  gatewayStatusSchema,
  telemetryBatchSchema,
  parseTopic,
  topics,
  gatewayPrefix,
} from "../src";

const example = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, "..", "examples", `${name}.json`), "utf8"));

describe("wire contract examples (the ones the README shows) parse", () => {
  it.each([
    ["telemetry-batch", telemetryBatchSchema],
    ["gateway-status", gatewayStatusSchema],
    ["command", commandSchema],
    ["command-result", commandResultSchema],
  ] as const)("%s", (name, schema) => {
    expect(schema.safeParse(example(name)).success).toBe(true);
  });
});

describe("telemetry batch validation", () => {
  const valid = example("telemetry-batch") as Record<string, unknown>;
  it("rejects a zero sequence number", () => {
    expect(telemetryBatchSchema.safeParse({ ...valid, seq: 0 }).success).toBe(false);
  });
  it("rejects a device id outside the identity scheme", () => {
    const bad = { ...valid, devices: { "gas/../x": [{ ts: 1, clock: "edge", values: { ch4: 1 } }] } };
    expect(telemetryBatchSchema.safeParse(bad).success).toBe(false);
  });
  it("rejects unknown quality and clock names", () => {
    const badQ = {
      ...valid,
      devices: { "340111-GVC-00007-D01": [{ ts: 1, clock: "edge", values: { ch4: 1 }, q: { ch4: "ok" } }] },
    };
    const badClock = {
      ...valid,
      devices: { "340111-GVC-00007-D01": [{ ts: 1, clock: "gps", values: { ch4: 1 } }] },
    };
    expect(telemetryBatchSchema.safeParse(badQ).success).toBe(false);
    expect(telemetryBatchSchema.safeParse(badClock).success).toBe(false);
  });
  it("rejects extra top-level fields (strict)", () => {
    expect(telemetryBatchSchema.safeParse({ ...valid, extra: 1 }).success).toBe(false);
  });
});

describe("topics", () => {
  it("builds and parses every channel", () => {
    expect(parseTopic(topics.telemetry("hefei", "gw-01"))).toEqual({
      tenant: "hefei",
      gatewayId: "gw-01",
      channel: { kind: "telemetry" },
    });
    expect(parseTopic(topics.status("hefei", "gw-01"))?.channel).toEqual({ kind: "status" });
    expect(parseTopic(topics.config("hefei", "gw-01"))?.channel).toEqual({ kind: "config" });
    expect(parseTopic(topics.rejected("hefei", "gw-01"))?.channel).toEqual({ kind: "rejected" });
    expect(parseTopic(topics.cmd("hefei", "gw-01", "write"))?.channel).toEqual({
      kind: "cmd",
      name: "write",
    });
    expect(parseTopic(topics.cmdResult("hefei", "gw-01", "write"))?.channel).toEqual({
      kind: "cmdResult",
      name: "write",
    });
    expect(topics.telemetry("hefei", "gw-01").startsWith(gatewayPrefix("hefei", "gw-01"))).toBe(true);
  });

  it.each([
    "ct/v1/hefei/gw-01",
    "ct/v2/hefei/gw-01/telemetry",
    "ct/v1/hefei/+/telemetry",
    "ct/v1/hefei/#",
    "ct/v1/he fei/gw-01/telemetry",
    "ct/v1/hefei/gw-01/telemetry/extra",
    "ct/v1/hefei/gw-01/cmd/write/ack",
    "ct/v1/hefei/gw-01/ingest/accepted",
    "other/v1/hefei/gw-01/telemetry",
  ])("refuses %s", (topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });
});
