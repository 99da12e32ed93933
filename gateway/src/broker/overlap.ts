/**
 * Overlapping subscriptions [MQTT-3.3.5-1]: "the Server MUST deliver the message to the Client
 * respecting the maximum QoS of all the matching subscriptions".
 *
 * Aedes 1.2 registers one delivery function per subscription (QoS 0: `client.deliver0`, else
 * `client.deliverQoS`) and lets the first one that runs deliver the message once (per-client
 * dedupe by broker counter), so the QoS was that of whichever subscription the topic trie
 * returned first: `ct/v1/t/#` at QoS 0 plus `ct/v1/t/+/cmd/+` at QoS 1 delivered at QoS 0.
 * Retained messages sent on a new subscription went out at their stored QoS, above the grant.
 *
 * Installed on each client before its first subscription (preConnect), the wrappers below pick
 * the QoS once per message: min(published QoS, highest granted QoS of the client's matching
 * subscriptions), then hand over to Aedes's own function for that QoS. One deviation stays:
 * Aedes caps a QoS > 0 delivery at the QoS of an *exact-topic* subscription of the client, so
 * that subscription's QoS caps the delivery here too (otherwise Aedes would send QoS 0 on its
 * QoS 1 path and keep the message as unacknowledged in the session).
 */
import type { Client } from "aedes";

type Deliver = (packet: { topic: string; qos: number }, cb: () => void) => void;

interface DeliveringClient {
  subscriptions: Record<string, { qos: number } | undefined>;
  deliver0: Deliver;
  deliverQoS: Deliver;
}

/** Whether a topic filter matches a topic name, `$` topics included [MQTT-4.7.2-1]. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  if (topic.startsWith("$") && (f[0] === "#" || f[0] === "+")) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Highest granted QoS among the subscriptions matching `topic`; -1 when none does. */
export function maxGrantedQos(
  subscriptions: Record<string, { qos: number } | undefined>,
  topic: string,
): number {
  let max = -1;
  for (const [filter, sub] of Object.entries(subscriptions))
    if (sub !== undefined && sub.qos > max && topicMatches(filter, topic)) max = sub.qos;
  return max;
}

/** Makes every delivery to `client` use the QoS [MQTT-3.3.5-1] asks for (see the file comment). */
export function deliverAtMaxQos(client: Client): void {
  const c = client as unknown as DeliveringClient;
  const deliver0 = c.deliver0;
  const deliverQoS = c.deliverQoS;
  const wrap =
    (own: Deliver): Deliver =>
    (packet, cb) => {
      const granted = maxGrantedQos(c.subscriptions, packet.topic);
      if (granted < 0) return own(packet, cb); // not through a subscription: as Aedes would
      let qos = Math.min(packet.qos, granted);
      const exact = c.subscriptions[packet.topic];
      if (exact !== undefined && exact.qos < qos) qos = exact.qos;
      if (qos === 0) return deliver0(packet, cb);
      return deliverQoS(qos === packet.qos ? packet : { ...packet, qos }, cb);
    };
  c.deliver0 = wrap(deliver0);
  c.deliverQoS = wrap(deliverQoS);
}
