/**
 * Device and gateway health from GET api/gateways (`{ gateways: GatewayView[] }`, the gateway's
 * tracker view): each gateway's online/offline state and its edge-reported device health map.
 * Only the fields the panel shows are checked; the rest of the view passes through.
 */
import { deviceHealthSchema, type Device, type DeviceHealth, type Sensor } from "@citytwin/model";
import { loadGateways } from "../core/gateways";
import type { SensorLayer } from "../sensors/sensor-layer";
import { h } from "../ui/dom";
import { formatTime } from "../ui/format";
import { lang } from "../ui/i18n";
import { ds } from "./strings";

export interface GatewayHealth {
  state: "online" | "offline" | "unknown";
  devices: Record<string, string>;
}

export async function loadGatewayHealth(): Promise<Map<string, GatewayHealth>> {
  const gateways = await loadGateways();
  return new Map(gateways.map((g) => [g.id, { state: g.state, devices: g.devices ?? {} }]));
}

const HEALTH_KEY = {
  ok: "healthOk",
  degraded: "healthDegraded",
  down: "healthDown",
  unknown: "healthUnknown",
} as const satisfies Record<DeviceHealth, Parameters<typeof ds>[0]>;

const HEALTH_CSS: Record<DeviceHealth, string> = {
  ok: "#2e9d5b",
  degraded: "#f2c12e",
  down: "#e02424",
  unknown: "#6b7280",
};

/** "12 s ago" / "12秒前" style age. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const [n, unit] =
    s < 90
      ? [s, ds("seconds")]
      : s < 5400
        ? [Math.round(s / 60), ds("minutes")]
        : [Math.round(s / 3600), ds("hours")];
  return lang() === "zh" ? `${n}${unit}${ds("ago")}` : `${n} ${unit} ${ds("ago")}`;
}

export function renderDevices(
  layer: SensorLayer,
  devices: readonly Device[],
  sensors: readonly Sensor[],
  gateways: ReadonlyMap<string, GatewayHealth> | undefined,
  nowMs: number,
): HTMLElement[] {
  const items = devices.map((d) => {
    const gw = gateways?.get(d.gatewayId);
    const parsed = deviceHealthSchema.safeParse(gw?.devices[d.id]);
    const health: DeviceHealth = gw?.state === "offline" ? "down" : parsed.success ? parsed.data : "unknown";
    let lastTs: number | undefined;
    for (const s of sensors) {
      if (s.deviceId !== d.id) continue;
      const ts = layer.state(s.id)?.ts;
      if (ts !== undefined && (lastTs === undefined || ts > lastTs)) lastTs = ts;
    }
    const gwText =
      gw?.state === "online"
        ? ds("gatewayOnline")
        : gw?.state === "offline"
          ? ds("gatewayOffline")
          : ds("gatewayUnknown");
    return h(
      "li",
      { class: "device", "data-device": d.id },
      h(
        "div",
        { class: "device-head" },
        h("span", { class: "mono" }, d.model),
        h("span", { class: "proto" }, d.protocol),
        h(
          "span",
          { class: "health", style: `background:${HEALTH_CSS[health]}`, "data-testid": "device-health" },
          ds(HEALTH_KEY[health]),
        ),
      ),
      h(
        "div",
        { class: "device-meta" },
        `${d.gatewayId} · ${gwText} · ${ds("lastSeen")}: `,
        lastTs === undefined ? ds("never") : `${formatTime(lastTs, false)} (${formatAge(nowMs - lastTs)})`,
      ),
    );
  });
  return [
    h("div", { class: "detail-title" }, ds("devices"), ` (${devices.length})`),
    h("ul", { class: "device-list", "data-testid": "device-list" }, ...items),
  ];
}
