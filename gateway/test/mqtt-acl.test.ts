/** The broker's topic ACL (broker/acl.ts) and topic matching (broker/overlap.ts), table-driven. */
import { describe, expect, it } from "vitest";
import { gatewayMayPublish, maySubscribe, operatorMayPublish, type MqttPrincipal } from "../src/broker/acl";
import { maxGrantedQos, topicMatches } from "../src/broker/overlap";

const T = "hefei";
const gateway: MqttPrincipal = { kind: "gateway", gatewayId: "gw-01" };
const viewer: MqttPrincipal = { kind: "operator", name: "wall", role: "viewer" };
const operator: MqttPrincipal = { kind: "operator", name: "duty-op", role: "operator" };
const admin: MqttPrincipal = { kind: "operator", name: "duty-admin", role: "admin" };

// filter, gateway gw-01, viewer, operator, admin
const SUBSCRIBE: [string, boolean, boolean, boolean, boolean][] = [
  ["ct/v1/hefei/gw-01/cmd/+", true, false, false, true],
  ["ct/v1/hefei/gw-01/cmd/reboot", true, false, false, true],
  ["ct/v1/hefei/gw-01/cmd/#", false, false, false, true],
  ["ct/v1/hefei/gw-01/config", true, false, false, true],
  ["ct/v1/hefei/gw-01/ingest/rejected", true, false, false, true],
  ["ct/v1/hefei/gw-01/telemetry", false, true, true, true],
  ["ct/v1/hefei/gw-01/status", false, true, true, true],
  ["ct/v1/hefei/+/telemetry", false, true, true, true],
  ["ct/v1/hefei/+/status", false, true, true, true],
  ["ct/v1/hefei/+/config", false, false, false, true],
  ["ct/v1/hefei/+/cmd/+", false, false, false, true],
  ["ct/v1/hefei/+/+", false, false, false, true],
  ["ct/v1/hefei/#", false, false, false, true],
  ["ct/v1/+/+/telemetry", false, false, false, true],
  ["ct/v1/other/+/telemetry", false, false, false, true],
  ["ct/v1/hefei/gw-02/cmd/+", false, false, false, true],
  ["ct/v1/hefei/gw-02/config", false, false, false, true],
  ["ct/v1/hefei/gw-01/telemetry/#", false, false, false, true],
  ["#", false, false, false, true],
  ["+/+", false, false, false, true],
  ["$SYS/#", false, false, false, true],
  ["$citytwin/dropped", false, false, false, false],
  ["$citytwin/#", false, false, false, false],
  ["factory/raw", false, false, false, true],
];

describe("subscribe ACL", () => {
  it.each(SUBSCRIBE)("%s: gateway %s, viewer %s, operator %s, admin %s", (filter, gw, v, o, a) => {
    expect([gateway, viewer, operator, admin].map((p) => maySubscribe(T, p, filter))).toEqual([gw, v, o, a]);
  });
});

// topic, admin may publish; viewers and operators never do
const PUBLISH: [string, boolean][] = [
  ["ct/v1/hefei/gw-01/cmd/reboot", true],
  ["ct/v1/hefei/gw-02/cmd/set-interval", true],
  ["ct/v1/hefei/gw-01/config", true],
  ["ct/v1/hefei/gw-01/cmd/reboot/result", false],
  ["ct/v1/hefei/gw-01/telemetry", false],
  ["ct/v1/hefei/gw-01/status", false],
  ["ct/v1/hefei/gw-01/ingest/rejected", false],
  ["ct/v1/other/gw-01/cmd/reboot", false],
  ["$SYS/anything", false],
  ["factory/raw", false],
];

describe("operator publish ACL", () => {
  it.each(PUBLISH)("%s: admin %s", (topic, adminMay) => {
    expect(operatorMayPublish(T, { name: "duty-admin", role: "admin" }, topic).ok).toBe(adminMay);
    for (const role of ["viewer", "operator"] as const) {
      const v = operatorMayPublish(T, { name: "x", role }, topic);
      expect(v).toMatchObject({ ok: false, reason: "TOPIC_IDENTITY" });
    }
  });

  it("gives a reason for an admin's refused publish", () => {
    expect(operatorMayPublish(T, { name: "a", role: "admin" }, "ct/v1/hefei/gw-01/telemetry")).toEqual({
      ok: false,
      reason: "TOPIC_UNKNOWN",
      message: "channel telemetry is not published by the platform",
    });
  });
});

// topic, gateway gw-01 may publish, reason when refused
const GATEWAY_PUBLISH: [string, boolean, string?][] = [
  ["ct/v1/hefei/gw-01/telemetry", true],
  ["ct/v1/hefei/gw-01/status", true],
  ["ct/v1/hefei/gw-01/cmd/reboot/result", true],
  ["ct/v1/hefei/gw-01/cmd/reboot", false, "TOPIC_UNKNOWN"],
  ["ct/v1/hefei/gw-01/config", false, "TOPIC_UNKNOWN"],
  ["ct/v1/hefei/gw-01/ingest/rejected", false, "TOPIC_UNKNOWN"],
  ["ct/v1/hefei/gw-02/telemetry", false, "TOPIC_IDENTITY"],
  ["ct/v1/hefei/gw-02/status", false, "TOPIC_IDENTITY"],
  ["ct/v1/other/gw-01/telemetry", false, "TOPIC_IDENTITY"],
  ["factory/raw", false, "TOPIC_UNKNOWN"],
  ["$SYS/anything", false, "TOPIC_UNKNOWN"],
];

describe("gateway publish ACL", () => {
  it.each(GATEWAY_PUBLISH)("%s: %s", (topic, may, reason) => {
    const v = gatewayMayPublish(T, "gw-01", topic);
    expect(v.ok ? [true] : [false, v.reason]).toEqual(may ? [true] : [false, reason]);
  });
});

// filter, topic, matches [MQTT-4.7.1, MQTT-4.7.2-1]
const MATCH: [string, string, boolean][] = [
  ["a/b", "a/b", true],
  ["a/+", "a/b", true],
  ["a/+", "a/b/c", false],
  ["a/#", "a", true],
  ["a/#", "a/b/c", true],
  ["#", "a/b", true],
  ["+/+", "a/b", true],
  ["+", "a/b", false],
  ["a/+/c", "a//c", true],
  ["#", "$SYS/x", false],
  ["+/x", "$SYS/x", false],
  ["$SYS/#", "$SYS/x", true],
  ["$SYS/+", "$SYS/x", true],
];

describe("topic matching", () => {
  it.each(MATCH)("%s ~ %s: %s", (filter, topic, matches) => {
    expect(topicMatches(filter, topic)).toBe(matches);
  });

  it("takes the highest QoS of the matching subscriptions", () => {
    const subs = { "a/#": { qos: 0 }, "a/+/c": { qos: 1 }, "x/y": { qos: 1 } };
    expect(maxGrantedQos(subs, "a/b/c")).toBe(1);
    expect(maxGrantedQos(subs, "a/b")).toBe(0);
    expect(maxGrantedQos(subs, "z")).toBe(-1);
  });
});
