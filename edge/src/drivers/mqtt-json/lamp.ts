/**
 * Lamp commands for smart poles on a field broker. A `lamp-set` becomes one QoS 1 message on
 * the pole's command topic (its data topic with the last segment `data` replaced by `cmd`):
 *
 *   poles/{poleId}/cmd   {"id":"<command id>","ts":<edge ms>,"lamp":{"on":true,"dimming":50}}
 *
 * It is confirmed by the pole's next data payload whose lamp state matches (`on` equal,
 * `dimming` within 0.5); the pole controller need not send a separate ack. Paths come from the
 * device profile fields `lamp_on` / `lamp_dimming` (default `lamp.on` / `lamp.dimming`).
 * No confirmation within the timeout answers TIMEOUT (the pole may still apply it later).
 */
import type { MqttClient } from "mqtt";
import type { DriverReply, LampState } from "../../commands/types";
import { getPath } from "./json-path";
import type { MappedDevice } from "./mapper";

interface Pending {
  device: MappedDevice;
  state: LampState;
  done: (r: DriverReply) => void;
}

export function lampCommandTopic(dataTopic: string): string | undefined {
  return dataTopic.endsWith("/data") ? `${dataTopic.slice(0, -"data".length)}cmd` : undefined;
}

export class LampCommands {
  private readonly pending = new Map<string, Set<Pending>>();

  constructor(private readonly byTopic: ReadonlyMap<string, readonly MappedDevice[]>) {}

  send(
    client: MqttClient | undefined,
    deviceId: string,
    state: LampState,
    id: string,
    now: number,
    timeoutMs: number,
  ): Promise<DriverReply> {
    const entry = [...this.byTopic].find(([, ds]) => ds.some((d) => d.deviceId === deviceId));
    const device = entry?.[1].find((d) => d.deviceId === deviceId);
    if (entry === undefined || device === undefined)
      return Promise.resolve({ ok: false, code: "UNKNOWN_DEVICE", message: `no pole device "${deviceId}"` });
    const cmdTopic = lampCommandTopic(entry[0]);
    if (cmdTopic === undefined)
      return Promise.resolve({
        ok: false,
        code: "UNSUPPORTED",
        message: `topic ${entry[0]} has no /data suffix`,
      });
    if (client?.connected !== true)
      return Promise.resolve({ ok: false, code: "DEVICE_ERROR", message: "field broker not connected" });
    const topic = entry[0];
    return new Promise<DriverReply>((resolve) => {
      const set = this.pending.get(topic) ?? new Set<Pending>();
      this.pending.set(topic, set);
      const p: Pending = {
        device,
        state,
        done: (r) => {
          clearTimeout(timer);
          set.delete(p);
          resolve(r);
        },
      };
      const timer = setTimeout(
        () =>
          p.done({
            ok: false,
            code: "TIMEOUT",
            message: `pole did not report the state within ${timeoutMs} ms`,
          }),
        timeoutMs,
      );
      set.add(p);
      client.publish(cmdTopic, JSON.stringify({ id, ts: now, lamp: state }), { qos: 1 }, (err) => {
        if (err) p.done({ ok: false, code: "DEVICE_ERROR", message: `publish failed: ${err.message}` });
      });
    });
  }

  /** Called with every parsed data payload; confirms the commands it satisfies. */
  onPayload(topic: string, payload: object): void {
    const set = this.pending.get(topic);
    if (set === undefined) return;
    for (const p of [...set]) {
      const fields = p.device.profile.fields;
      const on = getPath(payload, fields["lamp_on"] ?? "lamp.on");
      const dim = getPath(payload, fields["lamp_dimming"] ?? "lamp.dimming");
      const onOk = p.state.on === undefined || on === p.state.on;
      const dimOk =
        p.state.dimming === undefined || (typeof dim === "number" && Math.abs(dim - p.state.dimming) <= 0.5);
      if (onOk && dimOk) p.done({ ok: true });
    }
  }

  /** Answers every open command (on stop). */
  cancel(): void {
    for (const set of this.pending.values())
      for (const p of [...set]) p.done({ ok: false, code: "DEVICE_ERROR", message: "driver stopped" });
  }
}
