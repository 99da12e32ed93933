/**
 * One simulated edge agent: an MQTT.js client with its own gateway id (username), epoch and
 * seq, publishing TelemetryBatch JSON (QoS 1) to `ct/v1/{tenant}/{id}/telemetry` with at most
 * `inflight` unacknowledged publishes. Its readings come from a Source (synthetic signals or a
 * replayed trace); the Batcher decides when to flush, as the edge agent's publisher does.
 * A reading's `ts` is its batch's send time, strictly increasing per agent, so no sensor ever
 * repeats a timestamp (InfluxDB would merge the points and the loss count would be wrong).
 */
import mqtt, { type MqttClient } from "mqtt";
import { topics, type Quality, type ReadingValue, type TelemetryBatch } from "@citytwin/model";
import type { Batcher } from "./pacing";

export interface Reading {
  deviceId: string;
  key: string;
  value: ReadingValue;
  quality?: Quality;
}

/** Where an agent's readings come from. */
export interface Source {
  /** Readings due in total by `elapsedMs` after the start. */
  due(elapsedMs: number): number;
  /** The next `n` due readings at send time `ts` (those of offline devices are left out). */
  take(n: number, ts: number): Reading[];
}

export interface AgentCounters {
  sent: number;
  acked: number;
  errors: number;
  suppressed: number;
  disconnects: number;
  /** PUBACK round trips, ms, since the last drain. */
  puback: number[];
}

export interface AgentOptions {
  url: string;
  tenant: string;
  id: string;
  password?: string;
  inflight: number;
  batcher: Batcher;
  source: Source;
  counters: AgentCounters;
}

export class Agent {
  client!: MqttClient;
  source: Source;
  private open = 0;
  private seq = 0;
  private lastTs = 0;
  private readonly epoch = Date.now();
  private readonly topic: string;

  constructor(private readonly o: AgentOptions) {
    this.topic = topics.telemetry(o.tenant, o.id);
    this.source = o.source;
  }

  get id(): string {
    return this.o.id;
  }

  async connect(clientId: string): Promise<void> {
    this.client = await mqtt.connectAsync(this.o.url, {
      username: this.o.id,
      ...(this.o.password === undefined ? {} : { password: this.o.password }),
      clientId,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1000,
      keepalive: 60,
    });
    this.client.on("close", () => this.o.counters.disconnects++);
  }

  /** Nothing unacknowledged and nothing due left to send. */
  idle(startMs: number, endAt: number): boolean {
    return this.open === 0 && this.o.batcher.emitted >= Math.floor(this.source.due(endAt - startMs));
  }

  /** Sends what is due at `now` within the in-flight window; from `endAt` on, flushes what is left. */
  pump(startMs: number, now: number, endAt: number): void {
    const { batcher, counters: c } = this.o;
    const source = this.source;
    const due = source.due(Math.min(now, endAt) - startMs);
    while (this.open < this.o.inflight && this.client.connected) {
      const n = batcher.next(now, due, now >= endAt);
      if (n === 0) return;
      const ts = Math.max(now, this.lastTs + 1);
      this.lastTs = ts;
      const readings = source.take(n, ts);
      batcher.commit(n, now);
      c.suppressed += n - readings.length;
      if (readings.length === 0) continue;
      this.publish(readings, ts);
    }
  }

  private publish(readings: Reading[], ts: number): void {
    const batch: TelemetryBatch = {
      v: 1,
      epoch: this.epoch,
      seq: ++this.seq,
      sentAt: Date.now(),
      devices: {},
    };
    for (const r of readings) {
      const list = (batch.devices[r.deviceId] ??= []);
      // A sensor twice in one batch (a fast replay) gets the next free ms.
      let t = ts;
      let entry = list.find((e) => e.ts === t);
      while (entry !== undefined && r.key in entry.values) entry = list.find((e) => e.ts === ++t);
      if (entry === undefined) list.push((entry = { ts: t, clock: "device", values: {} }));
      if (t > this.lastTs) this.lastTs = t;
      entry.values[r.key] = r.value;
      if (r.quality !== undefined && r.quality !== "good") (entry.q ??= {})[r.key] = r.quality;
    }
    const c = this.o.counters;
    const t0 = performance.now();
    this.open++;
    c.sent += readings.length;
    this.client.publish(this.topic, JSON.stringify(batch), { qos: 1 }, (err) => {
      this.open--;
      if (err) c.errors++;
      else {
        c.acked += readings.length;
        c.puback.push(performance.now() - t0);
      }
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
