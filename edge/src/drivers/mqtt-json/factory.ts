/** Builds one FieldBroker per distinct broker URL (+ credentials) for mqtt-json devices. */
import type { DeviceConfig, MqttJsonProfile } from "../../config/schema";
import type { DriverContext, DriverFactory, DriverSet } from "../types";
import { FieldBroker } from "./field-broker";
import type { MappedDevice } from "./mapper";

export const mqttJsonFactory: DriverFactory = {
  kind: "mqtt-json",
  async create(devices: DeviceConfig[], ctx: DriverContext): Promise<DriverSet> {
    const groups = new Map<
      string,
      { url: string; username?: string; password?: string; byTopic: Map<string, MappedDevice[]> }
    >();
    for (const d of devices) {
      if (d.driver !== "mqtt-json") continue;
      const password = ctx.secrets.devicePasswords[d.id];
      const key = `${d.broker}\u0000${d.username ?? ""}`;
      let g = groups.get(key);
      if (g === undefined) {
        g = { url: d.broker, byTopic: new Map() };
        if (d.username !== undefined) g.username = d.username;
        if (password !== undefined) g.password = password;
        groups.set(key, g);
      }
      const list = g.byTopic.get(d.topic) ?? [];
      list.push({ deviceId: d.id, profile: ctx.profiles[d.profile] as MqttJsonProfile });
      g.byTopic.set(d.topic, list);
    }
    let n = 0;
    const streaming = [...groups.values()].map(
      (g) =>
        new FieldBroker(
          {
            url: g.url,
            clientId: `ct-edge-${ctx.gatewayId}-field-${n++}`,
            ...(g.username === undefined ? {} : { username: g.username }),
            ...(g.password === undefined ? {} : { password: g.password }),
          },
          g.byTopic,
          ctx.logger.child({ driver: "mqtt-json", broker: g.url }),
          ctx.clock,
        ),
    );
    return { polling: [], streaming };
  },
};
