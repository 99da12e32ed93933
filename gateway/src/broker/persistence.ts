/**
 * Where the embedded broker keeps MQTT session state (docs/reliability.md, "Broker sessions"):
 * CleanSession=0 subscriptions, QoS 1/2 messages queued for or in flight to such sessions,
 * retained messages and Wills.
 *
 *  - "memory": aedes-persistence, Aedes' default; lost when the gateway stops.
 *  - "level": aedes-persistence-level 9 (for aedes-persistence 11, which Aedes 1.2 speaks) on a
 *    classic-level (LevelDB) database in `<alarms.stateDir>/mqtt-sessions`, so an edge's
 *    `cmd/+` and `config` subscriptions and a command queued while it was away survive a
 *    restart, graceful or `kill -9` (LevelDB's log is written before each operation resolves;
 *    no fsync per write, so a power loss may lose the last writes).
 *
 * Aedes 1.2 calls `await persistence.setup(broker)` in `listen()` (which loads the stored
 * subscriptions into its matching trie) and never closes it: `close()` here does, after the
 * broker has closed. The database is opened here first so that a locked or unreadable
 * directory fails the start with a CityTwinError instead of the first client's CONNECT.
 *
 * Telemetry is not on this path: Aedes writes a QoS 1 publish to persistence only for the
 * CleanSession=0 subscriptions at QoS > 0 that match its topic (`enqueueOffline` →
 * `outgoingEnqueueCombi`, a no-op for none; the lookup is the in-memory trie), stores inbound
 * packets only for QoS 2, and retained ones only with RETAIN. Edge gateways may subscribe only
 * to their `cmd/+`, `config` and `ingest/rejected` (acl.ts). `storeOnlyGranted` keeps it so:
 * Aedes hands `addSubscriptions` every filter of a SUBSCRIBE packet, refused ones included.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { Level } from "level";
import { CityTwinError } from "@citytwin/model";

export const MQTT_PERSISTENCE_KINDS = ["memory", "level"] as const;
export type MqttPersistenceKind = (typeof MQTT_PERSISTENCE_KINDS)[number];

/** Session directory under the gateway's state directory. */
export const SESSIONS_DIR = "mqtt-sessions";

interface Subscription {
  topic: string;
  qos: number;
}

/** The part of an aedes-persistence instance this module touches. */
export interface AedesPersistence {
  /** `client` is the Aedes Client. */
  addSubscriptions(client: object, subs: Subscription[]): Promise<void>;
  destroy(): Promise<void> | void;
}

export interface SessionStore {
  kind: MqttPersistenceKind;
  /** Absolute directory for "level". */
  dir?: string;
  /** For `new Aedes({ persistence })`. */
  persistence: AedesPersistence;
  /** Closes the database; call after the broker has closed. Safe to call twice. */
  close(): Promise<void>;
}

const requireCjs = createRequire(import.meta.url);

/**
 * A broker id that sorts by start time. aedes-persistence-level keys a queued message
 * `outgoing:{clientId}:{brokerId}:{counter}` and replays a session's queue in key order; with
 * Aedes' default random UUID, messages queued before a restart could go out after those queued
 * since, breaking per-topic order [MQTT-4.6.0-6]. Hex milliseconds, then 8 random hex digits.
 */
export function sortableBrokerId(now: number = Date.now()): string {
  return `ct-${Math.floor(now).toString(16).padStart(12, "0")}-${randomBytes(4).toString("hex")}`;
}

/** `memory`, or `level` at `dir` (created if missing). */
export async function openSessionStore(kind: MqttPersistenceKind, dir?: string): Promise<SessionStore> {
  if (kind === "memory") {
    const memory = requireCjs("aedes-persistence") as () => AedesPersistence;
    const persistence = memory();
    return { kind, persistence, close: async () => undefined };
  }
  if (dir === undefined)
    throw new CityTwinError("CONFIG_INVALID", "mqtt.persistence level needs a directory");
  const db = new Level<string, Buffer>(dir, { valueEncoding: "buffer" });
  try {
    mkdirSync(dir, { recursive: true });
    await db.open();
  } catch (cause) {
    const code = (cause as { code?: string; cause?: { code?: string } }).cause?.code ?? "";
    throw new CityTwinError(
      "MQTT_SESSIONS_OPEN",
      `cannot open MQTT session store ${dir}${code === "LEVEL_LOCKED" ? " (in use by another gateway process)" : ""}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const create = requireCjs("aedes-persistence-level") as (db: Level<string, Buffer>) => AedesPersistence;
  const persistence = create(db);
  let closed = false;
  return {
    kind,
    dir,
    persistence,
    async close() {
      if (closed) return;
      closed = true;
      await persistence.destroy();
    },
  };
}

/**
 * Makes `persistence` store only the subscriptions `granted` allows. Aedes 1.2 passes every
 * filter of a SUBSCRIBE packet to `addSubscriptions` once any one is granted (storeSubscriptions
 * in lib/handlers/subscribe.js), so a refused `ct/v1/{tenant}/+/telemetry` next to a granted
 * `cmd/+` would be stored: messages on it queued for the session while offline (one LevelDB
 * write per telemetry message) and delivered on reconnect, past the ACL.
 */
export function storeOnlyGranted(
  persistence: AedesPersistence,
  granted: (client: object, topic: string) => boolean,
): void {
  const add = persistence.addSubscriptions.bind(persistence);
  persistence.addSubscriptions = (client, subs) =>
    add(
      client,
      subs.filter((s) => granted(client, s.topic)),
    );
}
