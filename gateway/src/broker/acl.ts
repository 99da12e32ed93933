/**
 * Topic ACL of the embedded broker as pure functions (table-tested in gateway/test/mqtt-acl.test.ts).
 *
 * Who is on the other end of an MQTT connection (decided once, in `authenticate`):
 *  - a gateway: the MQTT username is the gateway id (`ct/v1/{tenant}/{gatewayId}/…`);
 *  - an operator: the username is `op:{name}` and the password the full operator token
 *    `{name}.{secret}` (gateway/src/auth/operators.ts). `:` is not allowed in a gateway id or
 *    an operator name, so the `op:` prefix can never be mistaken for a gateway id.
 *
 * Subscriptions (anything not granted gets SUBACK 0x80 [MQTT-3.9.3-2]):
 *  - gateway: its own `cmd/+`, one `cmd/{name}`, `config` and `ingest/rejected`;
 *  - viewer and operator: read-only `ct/v1/{tenant}/+/telemetry` and `ct/v1/{tenant}/+/status`,
 *    or those of one gateway (there are no alarm topics: alarms go out on `/live`);
 *  - admin: any filter, `#` and `$SYS/#` included, except the broker-internal `$citytwin/…`.
 *
 * Publishes of operators: viewers and operators never publish; an admin may publish to any
 * gateway's `cmd/{name}` and `config` in the tenant (the platform → edge channels).
 * Publishes of gateways: only under their own prefix, and only the edge → platform channels
 * (telemetry, status, command results).
 */
import { SEGMENT_ID, parseTopic, type RejectReason, type Role } from "@citytwin/model";

/** Username prefix of operator connections. */
export const OPERATOR_USERNAME_PREFIX = "op:";

export type MqttPrincipal =
  { kind: "gateway"; gatewayId: string } | { kind: "operator"; name: string; role: Role };

/** Whether `principal` may subscribe to `filter` in `tenant`. */
export function maySubscribe(tenant: string, principal: MqttPrincipal, filter: string): boolean {
  if (principal.kind === "gateway") {
    const prefix = `ct/v1/${tenant}/${principal.gatewayId}/`;
    if (!filter.startsWith(prefix)) return false;
    if (filter === `${prefix}cmd/+`) return true;
    const kind = parseTopic(filter)?.channel.kind;
    return kind === "cmd" || kind === "config" || kind === "rejected";
  }
  if (principal.role === "admin") return !filter.startsWith("$citytwin/");
  // viewer, operator: exactly ct/v1/{tenant}/{gw or +}/{telemetry|status}
  const levels = filter.split("/");
  if (levels.length !== 5) return false;
  const [ct, v1, t, gw, channel] = levels as [string, string, string, string, string];
  if (ct !== "ct" || v1 !== "v1" || t !== tenant) return false;
  if (gw !== "+" && !SEGMENT_ID.test(gw)) return false;
  return channel === "telemetry" || channel === "status";
}

export type PublishVerdict = { ok: true } | { ok: false; reason: RejectReason; message: string };

/** Whether an operator may publish to `topic` in `tenant`. */
export function operatorMayPublish(
  tenant: string,
  principal: { name: string; role: Role },
  topic: string,
): PublishVerdict {
  if (principal.role !== "admin")
    return {
      ok: false,
      reason: "TOPIC_IDENTITY",
      message: `operator ${principal.name} (${principal.role}) may not publish; only the admin role publishes`,
    };
  const p = parseTopic(topic);
  if (p === undefined || p.tenant !== tenant)
    return { ok: false, reason: "TOPIC_UNKNOWN", message: `admins publish only under ct/v1/${tenant}/` };
  if (p.channel.kind !== "cmd" && p.channel.kind !== "config")
    return {
      ok: false,
      reason: "TOPIC_UNKNOWN",
      message: `channel ${p.channel.kind} is not published by the platform`,
    };
  return { ok: true };
}

/** Whether gateway `gatewayId` may publish to `topic` in `tenant`. */
export function gatewayMayPublish(tenant: string, gatewayId: string, topic: string): PublishVerdict {
  const p = parseTopic(topic);
  if (p === undefined) return { ok: false, reason: "TOPIC_UNKNOWN", message: "topic outside ct/v1 scheme" };
  if (p.tenant !== tenant || p.gatewayId !== gatewayId)
    return {
      ok: false,
      reason: "TOPIC_IDENTITY",
      message: `gateway ${gatewayId} may publish only under ct/v1/${tenant}/${gatewayId}/`,
    };
  const kind = p.channel.kind;
  if (kind !== "telemetry" && kind !== "status" && kind !== "cmdResult")
    return {
      ok: false,
      reason: "TOPIC_UNKNOWN",
      message: `channel ${kind} is not published by an edge gateway`,
    };
  return { ok: true };
}
