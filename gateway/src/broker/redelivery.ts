/**
 * DUP on redelivery [MQTT-3.3.1-1]: "The DUP flag MUST be set to 1 by the Client or Server when
 * it attempts to re-deliver a PUBLISH Packet". Aedes 1.2 re-sends a CleanSession=0 client's
 * unacknowledged QoS 1/2 messages on reconnect with their original packet identifiers
 * [MQTT-4.4.0-1] but with DUP=0. In its outgoing store a message that was already sent carries
 * the packet identifier it went out with; one queued while the client was offline has none yet.
 * So the outgoing stream read on reconnect marks every PUBLISH that has an identifier as DUP.
 */
import { Readable } from "node:stream";
import type { Aedes } from "aedes";

interface StoredPacket {
  cmd?: string;
  /** null, not undefined, once a packet has been through LevelDB (msgpack has no undefined). */
  messageId?: number | null;
  dup?: boolean;
}

interface OutgoingStore {
  outgoingStream(client: unknown): Readable;
}

async function* markDup(source: AsyncIterable<StoredPacket>): AsyncGenerator<StoredPacket> {
  for await (const packet of source) {
    const resent = (packet.cmd ?? "publish") === "publish" && typeof packet.messageId === "number";
    yield resent ? { ...packet, dup: true } : packet;
  }
}

/** Wraps the persistence of a listening Aedes so that redelivered PUBLISH packets carry DUP=1. */
export function markRedeliveries(aedes: Aedes): void {
  const store = (aedes as unknown as { persistence: OutgoingStore }).persistence;
  const outgoingStream = store.outgoingStream.bind(store);
  store.outgoingStream = (client) => Readable.from(markDup(outgoingStream(client)));
}
