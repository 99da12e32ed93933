/**
 * The asset detail panel (`#panel`, right column): header, the selected sensor's reading, the
 * three.js view (bridges, smart poles), the history chart, devices with health and the sensor
 * list. Live sections re-render at most 4×/s and only when a reading of this asset was applied;
 * the 3D view renders once per such update. Closing disposes the chart and the WebGL context.
 */
import type { Asset, Sensor } from "@citytwin/model";
import type { AppContext, Focus, TimeMode } from "../core/app-context";
import { h } from "../ui/dom";
import { assetName, renderHeader, renderSelected, renderSensorList } from "./asset-sections";
import { loadGatewayHealth, renderDevices, type GatewayHealth } from "./device-health";
import { HistoryChart, type ChartProbe } from "./history-chart";
import { ds } from "./strings";
import { createDetailView, type DetailView } from "./three/detail-view";
import { DEFLECTION_EXAGGERATION } from "./three/bridge-view";
import { TILT_EXAGGERATION } from "./three/pole-view";
import "./detail.css";

const LIVE_RENDER_MS = 250;
const GATEWAY_REFRESH_MS = 10_000;
const CONTENT_WIDTH = 352;
const VIEW_HEIGHT = 220;

export interface DetailProbe {
  readonly assetId: string | undefined;
  readonly sensorId: string | undefined;
  chart(): ChartProbe | undefined;
  view3d(): { kind: "bridge" | "pole"; renders: number; meshes: number; sensorsShown: number } | undefined;
}

export class DetailPanel {
  private asset: Asset | undefined;
  private sensors: readonly Sensor[] = [];
  private selected: Sensor | undefined;
  private history: HistoryChart | undefined;
  private view: DetailView | undefined;
  private gateways: ReadonlyMap<string, GatewayHealth> | undefined;
  private gatewayTimer: ReturnType<typeof setInterval> | undefined;
  private renderTimer: ReturnType<typeof setTimeout> | undefined;
  private livePoints: [number, unknown][] = [];
  private readonly header = h("div", { class: "detail-header" });
  private readonly reading = h("section", { class: "detail-reading" });
  private readonly view3d = h("section", { class: "detail-3d" });
  private readonly viewLegend = h("div", { class: "view-legend" });
  private readonly devices = h("section", { class: "detail-devices" });
  private readonly sensorList = h("section", { class: "detail-sensors" });

  constructor(
    private readonly ctx: AppContext,
    private readonly root: HTMLElement,
  ) {}

  focus(target: Focus | undefined): void {
    const asset = target === undefined ? undefined : this.ctx.index.assets.get(target.assetId);
    if (asset === undefined) return this.close();
    if (asset.id !== this.asset?.id) this.open(asset);
    const sensor = this.sensors.find((s) => s.id === target?.sensorId) ?? this.sensors[0];
    if (sensor !== undefined && sensor.id !== this.selected?.id) {
      this.selected = sensor;
      this.livePoints = [];
      this.history?.show(sensor);
    }
    this.renderLive();
  }

  /** A batch of readings was applied: re-render soon if it touched this asset. */
  onApplied(changed: ReadonlySet<string>): void {
    if (this.asset === undefined || !this.sensors.some((s) => changed.has(s.id))) return;
    const sel = this.selected;
    const state = sel === undefined || !changed.has(sel.id) ? undefined : this.ctx.sensors.state(sel.id);
    if (state !== undefined) this.livePoints.push([state.ts, state.value]);
    this.renderTimer ??= setTimeout(() => this.renderLive(), LIVE_RENDER_MS);
  }

  onTime(mode: TimeMode): void {
    this.livePoints = [];
    this.history?.onTime(mode);
  }

  relabel(): void {
    if (this.asset === undefined) return;
    this.header.replaceChildren(...renderHeader(this.asset, () => this.ctx.focus(undefined)));
    this.root.setAttribute("aria-label", assetName(this.asset));
    this.renderLegend();
    this.history?.relabel();
    this.renderLive();
  }

  readonly probe: DetailProbe = {
    assetId: undefined,
    sensorId: undefined,
    chart: () => this.history?.probe(),
    view3d: () => {
      const v = this.view;
      if (v === undefined) return undefined;
      return {
        kind: v.kind,
        renders: v.stage.renders,
        meshes: v.stage.meshCount(),
        sensorsShown: v.sensorsShown,
      };
    },
  };

  private open(asset: Asset): void {
    this.close();
    this.asset = asset;
    this.sensors = this.ctx.index.sensorsByAsset.get(asset.id) ?? [];
    this.history = new HistoryChart(this.ctx, CONTENT_WIDTH);
    this.root.classList.add("detail");
    this.root.dataset.asset = asset.id;
    this.root.replaceChildren(
      this.header,
      this.reading,
      this.view3d,
      this.history.root,
      this.devices,
      this.sensorList,
    );
    this.root.hidden = false;
    this.view3d.replaceChildren();
    this.view = createDetailView(this.ctx, asset, this.view3d, { width: CONTENT_WIDTH, height: VIEW_HEIGHT });
    this.view3d.hidden = this.view === undefined;
    if (this.view !== undefined) this.view3d.append(this.viewLegend);
    this.relabel();
    void this.refreshGateways();
    this.gatewayTimer = setInterval(() => void this.refreshGateways(), GATEWAY_REFRESH_MS);
  }

  private close(): void {
    clearInterval(this.gatewayTimer);
    clearTimeout(this.renderTimer);
    this.renderTimer = undefined;
    this.history?.destroy();
    this.history = undefined;
    this.view?.dispose();
    this.view = undefined;
    this.asset = undefined;
    this.selected = undefined;
    this.sensors = [];
    this.gateways = undefined;
    this.livePoints = [];
    this.root.hidden = true;
    this.root.replaceChildren();
    this.syncProbe();
  }

  private async refreshGateways(): Promise<void> {
    const asset = this.asset;
    try {
      const gateways = await loadGatewayHealth();
      if (asset !== this.asset) return;
      this.gateways = gateways;
      this.renderLive();
    } catch {
      // health unknown: the device rows say so
    }
  }

  /** Everything that follows the drawn sensor state (coalesced by onApplied). */
  private renderLive(): void {
    clearTimeout(this.renderTimer);
    this.renderTimer = undefined;
    const asset = this.asset;
    if (asset === undefined) return;
    const layer = this.ctx.sensors;
    const sel = this.selected;
    for (const [ts, value] of this.livePoints) this.history?.appendLive(ts, value);
    this.livePoints = [];
    this.reading.replaceChildren(...(sel === undefined ? [] : renderSelected(layer, sel)));
    const mode = this.ctx.time();
    const now = mode.mode === "replay" ? mode.at : Date.now() + this.ctx.clockSkewMs();
    const devices = this.ctx.index.devicesByAsset.get(asset.id) ?? [];
    this.devices.replaceChildren(...renderDevices(layer, devices, this.sensors, this.gateways, now));
    this.sensorList.replaceChildren(
      ...renderSensorList(layer, this.sensors, sel?.id, (id) =>
        this.ctx.focus({ assetId: asset.id, sensorId: id }),
      ),
    );
    this.view?.update(sel?.id);
    this.syncProbe();
  }

  private renderLegend(): void {
    const v = this.view;
    if (v === undefined) return;
    const lines =
      v.kind === "bridge"
        ? [`${ds("deflectionScale")} ×${DEFLECTION_EXAGGERATION}`, ds("strainColour")]
        : [`${ds("tiltScale")} ×${TILT_EXAGGERATION}`, ds("deviceColour")];
    this.viewLegend.replaceChildren(
      h("div", { class: "detail-title" }, ds("model3d"), " · ", ds("dragToOrbit")),
      ...lines.map((l) => h("div", {}, l)),
    );
  }

  private syncProbe(): void {
    const p = this.probe as { assetId: string | undefined; sensorId: string | undefined };
    p.assetId = this.asset?.id;
    p.sensorId = this.selected?.id;
  }
}
