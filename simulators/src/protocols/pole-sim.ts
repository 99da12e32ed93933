/**
 * Smart-pole controllers speaking their vendor's JSON over MQTT 3.1.1. Every pole publishes
 * every `publishIntervalMs` (default 5 s), QoS 1, to `poles/{poleAssetId}/data`:
 *
 *   {"poleId":"340111-SPL-00012","ts":1718000000000,
 *    "lamp":{"on":true,"power":120.5,"dimming":80},
 *    "env":{"pm25":35,"noiseLAeq":55.2,"temperature":18.3}}
 *
 * `env` is present only on poles that carry the environment sensor (device D02). Field names
 * are those of edge/profiles/ct-pole-lamp.yaml and ct-pole-env.yaml.
 *
 * One MQTT client per pole up to `maxClients` (default 300); beyond that, poles share the
 * clients round-robin. Publishes are staggered evenly over the interval.
 * Lifecycle: constructor assigns; start() connects every client (rejects if any cannot);
 * stop() ends them.
 */
import type { Logger } from "pino";
import { connectAsync, type MqttClient } from "mqtt";
import { CityTwinError, type CityModel } from "@citytwin/model";
import type { SignalEngine } from "../signals";

export interface PoleSimulatorOptions {
  city: CityModel;
  engine: SignalEngine;
  brokerUrl: string;
  clock: { now(): number };
  logger: Logger;
  publishIntervalMs?: number;
  maxClients?: number;
}

interface PoleSpec {
  poleId: string;
  lamp: string;
  env: string | undefined;
}

export interface PolePayload {
  poleId: string;
  ts: number;
  lamp: { on: boolean; power: number; dimming: number };
  env?: { pm25: number; noiseLAeq: number; temperature: number };
}

export function poleTopic(poleAssetId: string): string {
  return `poles/${poleAssetId}/data`;
}

const round1 = (v: number) => Math.round(v * 10) / 10;

export class PoleSimulator {
  private readonly options: PoleSimulatorOptions;
  private readonly clients: MqttClient[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private published = 0;
  private failed = 0;

  constructor(options: PoleSimulatorOptions) {
    this.options = options;
  }

  get poles(): PoleSpec[] {
    const { city } = this.options;
    const devices = new Set(city.devices.map((d) => d.id));
    return city.assets
      .filter((a) => a.type === "SPL")
      .map((a) => ({
        poleId: a.id,
        lamp: `${a.id}-D01`,
        env: devices.has(`${a.id}-D02`) ? `${a.id}-D02` : undefined,
      }));
  }

  stats(): { published: number; failed: number } {
    return { published: this.published, failed: this.failed };
  }

  /** The vendor payload of one pole at simulated time t. */
  payload(pole: PoleSpec, t: number): PolePayload {
    const e = this.options.engine;
    const dimming = Math.round(e.value(`${pole.lamp}.lamp_dimming`, t));
    const power = round1(e.value(`${pole.lamp}.lamp_power`, t));
    const out: PolePayload = {
      poleId: pole.poleId,
      ts: Math.round(t),
      lamp: { on: dimming > 0, power, dimming },
    };
    if (pole.env !== undefined) {
      out.env = {
        pm25: Math.round(e.value(`${pole.env}.pm25`, t)),
        noiseLAeq: round1(e.value(`${pole.env}.noise_laeq`, t)),
        temperature: round1(e.value(`${pole.env}.temperature`, t)),
      };
    }
    return out;
  }

  async start(): Promise<void> {
    const poles = this.poles;
    const count = Math.min(poles.length, this.options.maxClients ?? 300);
    const interval = this.options.publishIntervalMs ?? 5000;
    try {
      const connected = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          connectAsync(this.options.brokerUrl, {
            clientId: count === poles.length ? `pole-${poles[i]?.poleId ?? i}` : `pole-ctl-${i}`,
            clean: true,
            reconnectPeriod: 1000,
            connectTimeout: 10_000,
          }),
        ),
      );
      this.clients.push(...connected);
    } catch (cause) {
      await this.stop();
      throw new CityTwinError(
        "SIM_POLE_CONNECT",
        `pole controllers cannot connect to ${this.options.brokerUrl}`,
        { cause },
      );
    }
    poles.forEach((pole, i) => {
      const client = this.clients[i % count];
      if (client === undefined) return;
      const publish = () => {
        const body = JSON.stringify(this.payload(pole, this.options.clock.now()));
        client.publish(poleTopic(pole.poleId), body, { qos: 1 }, (err) => {
          if (err) this.failed++;
          else this.published++;
        });
      };
      const first = setTimeout(
        () => {
          publish();
          this.timers.push(setInterval(publish, interval));
        },
        Math.floor((interval * i) / poles.length),
      );
      this.timers.push(first);
    });
    this.options.logger.info(
      { poles: poles.length, clients: count, broker: this.options.brokerUrl },
      "pole simulator started",
    );
  }

  async stop(): Promise<void> {
    for (const t of this.timers.splice(0)) {
      clearTimeout(t);
      clearInterval(t);
    }
    const clients = this.clients.splice(0);
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  }
}
