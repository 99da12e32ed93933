/**
 * One MQTT.js connection to a field broker, shared by every mqtt-json device on it. Each
 * device topic is subscribed once at QoS 1; a payload is parsed once and fanned out to all
 * device entries on that topic. Subscriptions are restored on reconnect (MQTT.js
 * `resubscribe`, and a clean: true session so the broker state is never relied upon).
 * Malformed payloads are counted and logged once per LOG_EVERY.
 */
import type { MqttClient } from "mqtt";
import type { Logger } from "pino";
import type { Clock } from "../../runtime/clock";
import type { Reading, StreamSink, StreamingDriver } from "../types";
import { mapPayload, type MappedDevice } from "./mapper";
import type { DriverReply, LampState } from "../../commands/types";
import { LampCommands } from "./lamp";

const LOG_EVERY = 100;

export interface FieldBrokerOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
}

export class FieldBroker implements StreamingDriver {
  readonly deviceIds: readonly string[];
  private client: MqttClient | undefined;
  private sink: StreamSink | undefined;
  private readonly counters = { messages: 0, malformed: 0, readings: 0, connects: 0 };
  private readonly lamps: LampCommands;

  constructor(
    private readonly options: FieldBrokerOptions,
    private readonly byTopic: ReadonlyMap<string, readonly MappedDevice[]>,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.deviceIds = [...byTopic.values()].flat().map((d) => d.deviceId);
    this.lamps = new LampCommands(byTopic);
  }

  /** `lamp-set` command: see ./lamp.ts. */
  setLamp(deviceId: string, state: LampState, commandId: string, timeoutMs: number): Promise<DriverReply> {
    return this.lamps.send(this.client, deviceId, state, commandId, this.clock.now(), timeoutMs);
  }

  async start(sink: StreamSink): Promise<void> {
    this.sink = sink;
    // Lazy (only gateways with poles pay for it); CJS interop puts it on `default` in bundles.
    const mqtt = await import("mqtt");
    const connect = mqtt.connect ?? (mqtt as unknown as { default: typeof mqtt }).default.connect;
    const client = connect(this.options.url, {
      clientId: this.options.clientId,
      clean: true,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      ...(this.options.username === undefined ? {} : { username: this.options.username }),
      ...(this.options.password === undefined ? {} : { password: this.options.password }),
    });
    this.client = client;
    client.on("connect", () => {
      this.counters.connects++;
      this.logger.info({ url: this.options.url, topics: this.byTopic.size }, "field broker connected");
      const subs = Object.fromEntries([...this.byTopic.keys()].map((t) => [t, { qos: 1 as const }]));
      client.subscribe(subs, (err) => {
        if (err) this.logger.error({ url: this.options.url, err: err.message }, "field subscribe failed");
      });
      for (const id of this.deviceIds) sink.health(id, "ok");
    });
    client.on("close", () => {
      if (this.client === undefined) return;
      for (const id of this.deviceIds) sink.health(id, "down");
    });
    client.on("error", (err) => {
      this.logger.warn({ url: this.options.url, err: err.message }, "field broker error");
    });
    client.on("message", (topic, payload) => this.onMessage(topic, payload));
  }

  private onMessage(topic: string, payload: Buffer): void {
    this.counters.messages++;
    const devices = this.byTopic.get(topic);
    if (devices === undefined || this.sink === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString("utf8"));
    } catch (err) {
      this.malformed(topic, (err as Error).message);
      return;
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      this.malformed(topic, "payload is not a JSON object");
      return;
    }
    this.lamps.onPayload(topic, parsed);
    const out: Reading[] = [];
    mapPayload(parsed, devices, this.clock.now(), out);
    this.counters.readings += out.length;
    if (out.length > 0) this.sink.readings(out);
  }

  private malformed(topic: string, reason: string): void {
    this.counters.malformed++;
    if (this.counters.malformed % LOG_EVERY === 1) {
      this.logger.warn({ topic, reason, malformed: this.counters.malformed }, "malformed field payload");
    }
  }

  stats(): Record<string, number> {
    return {
      mqtt_json_messages: this.counters.messages,
      mqtt_json_malformed: this.counters.malformed,
      mqtt_json_readings: this.counters.readings,
      mqtt_json_connects: this.counters.connects,
    };
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.lamps.cancel();
    if (c !== undefined) await c.endAsync();
  }
}
