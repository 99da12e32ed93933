/**
 * Smart-pole controllers speaking their vendor's JSON over MQTT 3.1.1. Every pole publishes
 * every `publishIntervalMs` (default 5 s), QoS 1, to `poles/{poleAssetId}/data`:
 *
 *   {"poleId":"340111-SPL-00012","ts":1718000000000,
 *    "lamp":{"on":true,"power":120.5,"dimming":80},
 *    "env":{"pm25":35,"noiseLAeq":55.2,"temperature":18.3}}
 *
 * `env` is present only on poles that carry the environment sensor (device D02). Full poles
 * (generateCity({ smartPoles: "full" })) add, for the sensors the city has:
 *   lamp.switch 0|1, env.pm10, env.humidity, "ev":{"state":2,"power":7.0} (D03; state codes
 *   EV_STATE_CODES), "sos":{"pressed":0} (D04; 1 while pressed), "tilt":{"deg":0.31} (D05).
 * Field names are those of edge/profiles/ct-pole-*.yaml.
 *
 * One MQTT client per pole up to `maxClients` (default 300); beyond that, poles share the
 * clients round-robin. Publishes are staggered evenly over the interval.
 *
 * Lamp commands (edge `lamp-set`, docs/edge-remote-ops.md): each client subscribes, QoS 1, to
 * `poles/{poleAssetId}/cmd` of its poles and applies `{"lamp":{"on"?,"dimming"?}}`: the given
 * fields override the schedule (signal engine) for `commandHoldMs` of simulator clock time
 * (default 4 h), then the schedule takes over again; a newer command replaces the hold. The
 * pole publishes its data at once after a command, so the edge sees the new state without
 * waiting a full interval. Reported state under a hold: `dimming` = the commanded level (else
 * the scheduled one; `on: true` at a scheduled 0 % lights at 100 %), `on` = the commanded
 * switch (else dimming > 0), `power` 0 when off, else the rated power at that dimming.
 * Malformed commands are counted (`stats().commandsRejected`) and ignored.
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
  /** How long a lamp command overrides the schedule, simulator clock ms (default 4 h). */
  commandHoldMs?: number;
}

/** A commanded lamp state, held until `until` (simulator clock). */
export interface LampOverride {
  on?: boolean;
  dimming?: number;
  until: number;
}

export const DEFAULT_COMMAND_HOLD_MS = 4 * 3_600_000;
/** Rated power assumed when the schedule has the lamp off (no power to scale from). */
const NOMINAL_LAMP_W = 135;

interface PoleSpec {
  poleId: string;
  lamp: string;
  env: string | undefined;
  ev?: string;
  sos?: string;
  tilt?: string;
}

export interface PolePayload {
  poleId: string;
  ts: number;
  lamp: { on: boolean; power: number; dimming: number; switch?: 0 | 1 };
  env?: { pm25: number; noiseLAeq: number; temperature: number; pm10?: number; humidity?: number };
  ev?: { state: number; power: number };
  sos?: { pressed: 0 | 1 };
  tilt?: { deg: number };
}

export function poleTopic(poleAssetId: string): string {
  return `poles/${poleAssetId}/data`;
}

export function poleCommandTopic(poleAssetId: string): string {
  return `poles/${poleAssetId}/cmd`;
}

/** The `lamp` part of a command payload, or undefined when it is not a usable lamp command. */
export function parseLampCommand(payload: Buffer): { on?: boolean; dimming?: number } | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString("utf8"));
  } catch {
    return undefined;
  }
  const lamp = (raw as { lamp?: unknown } | null)?.lamp;
  if (lamp === null || typeof lamp !== "object") return undefined;
  const { on, dimming } = lamp as { on?: unknown; dimming?: unknown };
  if (on !== undefined && typeof on !== "boolean") return undefined;
  if (dimming !== undefined && (typeof dimming !== "number" || !(dimming >= 0 && dimming <= 100)))
    return undefined;
  if (on === undefined && dimming === undefined) return undefined;
  return { ...(on === undefined ? {} : { on }), ...(dimming === undefined ? {} : { dimming }) };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

export class PoleSimulator {
  private readonly options: PoleSimulatorOptions;
  private readonly clients: MqttClient[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly overrides = new Map<string, LampOverride>();
  private published = 0;
  private failed = 0;
  private commands = 0;
  private commandsRejected = 0;

  constructor(options: PoleSimulatorOptions) {
    this.options = options;
  }

  get poles(): PoleSpec[] {
    const { city } = this.options;
    const devices = new Set(city.devices.map((d) => d.id));
    return city.assets
      .filter((a) => a.type === "SPL")
      .map((a) => {
        const dev = (n: number) => (devices.has(`${a.id}-D0${n}`) ? `${a.id}-D0${n}` : undefined);
        const spec: PoleSpec = { poleId: a.id, lamp: `${a.id}-D01`, env: dev(2) };
        const [ev, sos, tilt] = [dev(3), dev(4), dev(5)];
        if (ev !== undefined) spec.ev = ev;
        if (sos !== undefined) spec.sos = sos;
        if (tilt !== undefined) spec.tilt = tilt;
        return spec;
      });
  }

  stats(): { published: number; failed: number; commands: number; commandsRejected: number } {
    return {
      published: this.published,
      failed: this.failed,
      commands: this.commands,
      commandsRejected: this.commandsRejected,
    };
  }

  /** Applies a lamp command to one pole (held for commandHoldMs from `now`). */
  applyLampCommand(poleId: string, lamp: { on?: boolean; dimming?: number }, now: number): void {
    const until = now + (this.options.commandHoldMs ?? DEFAULT_COMMAND_HOLD_MS);
    this.overrides.set(poleId, { ...lamp, until });
  }

  /** The lamp override in force for a pole at t, if any. */
  lampOverride(poleId: string, t: number): LampOverride | undefined {
    const o = this.overrides.get(poleId);
    if (o === undefined) return undefined;
    if (t < o.until) return o;
    this.overrides.delete(poleId);
    return undefined;
  }

  /** The vendor payload of one pole at simulated time t. */
  payload(pole: PoleSpec, t: number): PolePayload {
    const e = this.options.engine;
    const scheduled = Math.round(e.value(`${pole.lamp}.lamp_dimming`, t));
    const scheduledPower = round1(e.value(`${pole.lamp}.lamp_power`, t));
    const o = this.lampOverride(pole.poleId, t);
    let lamp: PolePayload["lamp"];
    if (o === undefined) {
      lamp = { on: scheduled > 0, power: scheduledPower, dimming: scheduled };
    } else {
      const level = o.dimming ?? (o.on === true && scheduled === 0 ? 100 : scheduled);
      const on = o.on ?? level > 0;
      const factor = (d: number) => 0.3 + (0.7 * d) / 100;
      const rated = scheduled > 0 ? scheduledPower / factor(scheduled) : NOMINAL_LAMP_W;
      lamp = { on, power: on && level > 0 ? round1(rated * factor(level)) : 0, dimming: level };
    }
    const out: PolePayload = { poleId: pole.poleId, ts: Math.round(t), lamp };
    if (e.has(`${pole.lamp}.lamp_on`)) {
      const sw = o === undefined ? e.value(`${pole.lamp}.lamp_on`, t) >= 0.5 : lamp.on;
      out.lamp.switch = sw ? 1 : 0;
    }
    if (pole.env !== undefined) {
      out.env = {
        pm25: Math.round(e.value(`${pole.env}.pm25`, t)),
        noiseLAeq: round1(e.value(`${pole.env}.noise_laeq`, t)),
        temperature: round1(e.value(`${pole.env}.temperature`, t)),
      };
      if (e.has(`${pole.env}.pm10`)) out.env.pm10 = Math.round(e.value(`${pole.env}.pm10`, t));
      if (e.has(`${pole.env}.humidity`)) out.env.humidity = round1(e.value(`${pole.env}.humidity`, t));
    }
    if (pole.ev !== undefined) {
      out.ev = {
        state: Math.round(e.value(`${pole.ev}.ev_state`, t)),
        power: round1(e.value(`${pole.ev}.ev_power`, t)),
      };
    }
    if (pole.sos !== undefined) out.sos = { pressed: e.value(`${pole.sos}.sos_button`, t) >= 0.5 ? 1 : 0 };
    if (pole.tilt !== undefined) out.tilt = { deg: Math.round(e.value(`${pole.tilt}.tilt`, t) * 100) / 100 };
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
    const publishers = new Map<string, () => void>();
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
      publishers.set(poleCommandTopic(pole.poleId), publish);
      const first = setTimeout(
        () => {
          publish();
          this.timers.push(setInterval(publish, interval));
        },
        Math.floor((interval * i) / poles.length),
      );
      this.timers.push(first);
    });
    await this.subscribeCommands(poles, count, publishers);
    this.options.logger.info(
      { poles: poles.length, clients: count, broker: this.options.brokerUrl },
      "pole simulator started",
    );
  }

  /** Each client subscribes to its poles' command topics (restored by MQTT.js on reconnect). */
  private async subscribeCommands(
    poles: PoleSpec[],
    count: number,
    publishers: ReadonlyMap<string, () => void>,
  ): Promise<void> {
    const byTopic = new Map(poles.map((p) => [poleCommandTopic(p.poleId), p.poleId]));
    await Promise.all(
      this.clients.map(async (client, i) => {
        const topics = poles.filter((_, j) => j % count === i).map((p) => poleCommandTopic(p.poleId));
        client.on("message", (topic, payload) => {
          const poleId = byTopic.get(topic);
          if (poleId === undefined) return;
          const lamp = parseLampCommand(payload);
          if (lamp === undefined) {
            this.commandsRejected++;
            return;
          }
          this.commands++;
          this.applyLampCommand(poleId, lamp, this.options.clock.now());
          publishers.get(topic)?.();
        });
        if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
      }),
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
