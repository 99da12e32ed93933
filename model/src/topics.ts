/**
 * Topic scheme v1. Every topic a gateway uses starts with its identity prefix
 * `ct/v1/{tenant}/{gatewayId}/`, so the broker's ACL is a prefix check.
 *
 *   ct/v1/{tenant}/{gw}/telemetry            edge → broker  QoS 1  TelemetryBatch
 *   ct/v1/{tenant}/{gw}/status               edge → broker  QoS 1, retained, also the Will  GatewayStatus
 *   ct/v1/{tenant}/{gw}/cmd/{name}           platform → edge QoS 1  Command
 *   ct/v1/{tenant}/{gw}/cmd/{name}/result    edge → platform QoS 1  CommandResult
 *   ct/v1/{tenant}/{gw}/config               platform → edge QoS 1, retained  GatewayConfigMessage
 *   ct/v1/{tenant}/{gw}/ingest/rejected      platform → edge QoS 0  IngestRejection (why a message was refused)
 */
import { SEGMENT_ID } from "./ids";

export const TOPIC_ROOT = "ct/v1";

export type Channel =
  | { kind: "telemetry" }
  | { kind: "status" }
  | { kind: "config" }
  | { kind: "rejected" }
  | { kind: "cmd"; name: string }
  | { kind: "cmdResult"; name: string };

export interface ParsedTopic {
  tenant: string;
  gatewayId: string;
  channel: Channel;
}

export function gatewayPrefix(tenant: string, gatewayId: string): string {
  return `${TOPIC_ROOT}/${tenant}/${gatewayId}/`;
}

export const topics = {
  telemetry: (t: string, gw: string) => `${gatewayPrefix(t, gw)}telemetry`,
  status: (t: string, gw: string) => `${gatewayPrefix(t, gw)}status`,
  config: (t: string, gw: string) => `${gatewayPrefix(t, gw)}config`,
  rejected: (t: string, gw: string) => `${gatewayPrefix(t, gw)}ingest/rejected`,
  cmd: (t: string, gw: string, name: string) => `${gatewayPrefix(t, gw)}cmd/${name}`,
  cmdResult: (t: string, gw: string, name: string) => `${gatewayPrefix(t, gw)}cmd/${name}/result`,
  /** Subscription filter for every command addressed to one gateway. */
  cmdFilter: (t: string, gw: string) => `${gatewayPrefix(t, gw)}cmd/+`,
} as const;

/** Parses a v1 topic; returns undefined for anything outside the scheme. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split("/");
  if (parts.length < 5 || parts[0] !== "ct" || parts[1] !== "v1") return undefined;
  const [, , tenant, gatewayId, channel, a, b] = parts as [
    string,
    string,
    string,
    string,
    string,
    ...string[],
  ];
  if (!SEGMENT_ID.test(tenant) || !SEGMENT_ID.test(gatewayId)) return undefined;
  const base = { tenant, gatewayId };
  if (parts.length === 5) {
    if (channel === "telemetry" || channel === "status" || channel === "config") {
      return { ...base, channel: { kind: channel } };
    }
    return undefined;
  }
  if (channel === "ingest" && a === "rejected" && parts.length === 6)
    return { ...base, channel: { kind: "rejected" } };
  if (channel === "cmd" && a !== undefined && SEGMENT_ID.test(a)) {
    if (parts.length === 6) return { ...base, channel: { kind: "cmd", name: a } };
    if (parts.length === 7 && b === "result") return { ...base, channel: { kind: "cmdResult", name: a } };
  }
  return undefined;
}
