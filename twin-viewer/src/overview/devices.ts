/**
 * Edge health from `GET /api/gateways`: gateways online, and devices online (health ok or degraded
 * on an online gateway) out of the city's devices. Only the fields the overview reads are checked.
 */
import type { GatewayViews } from "../core/gateways";

export interface DeviceCounts {
  gatewaysOnline: number;
  gatewaysTotal: number;
  devicesOnline: number;
  devicesTotal: number;
}

const ONLINE_HEALTH = new Set(["ok", "degraded"]);

export function countDevices(gateways: GatewayViews, cityDeviceIds: ReadonlySet<string>): DeviceCounts {
  let gatewaysOnline = 0;
  let devicesOnline = 0;
  for (const gw of gateways) {
    if (gw.state !== "online") continue;
    gatewaysOnline++;
    for (const [id, health] of Object.entries(gw.devices ?? {}))
      if (cityDeviceIds.has(id) && ONLINE_HEALTH.has(health)) devicesOnline++;
  }
  return { gatewaysOnline, gatewaysTotal: gateways.length, devicesOnline, devicesTotal: cityDeviceIds.size };
}
