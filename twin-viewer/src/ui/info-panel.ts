/**
 * The sensor inspector: latest value with unit, quality, level, timestamp, asset and owner.
 * Renders from the sensor layer's applied state, so it shows what the point shows.
 */
import {
  ASSET_TYPES,
  LEVEL_LABELS,
  sensorKind,
  type Asset,
  type CityModel,
  type Quality,
} from "@citytwin/model";
import type { SensorLayer } from "../sensors/sensor-layer";
import { h } from "./dom";
import { formatTime, formatValue, unitLabel } from "./format";
import { lang, t } from "./i18n";
import { Sparkline } from "./sparkline";

export class InfoPanel {
  selected: string | undefined;
  private readonly assets: Map<string, Asset>;
  private readonly trend = new Sparkline();

  constructor(
    private readonly root: HTMLElement,
    private readonly layer: SensorLayer,
    city: CityModel,
    private readonly onClose: () => void,
  ) {
    this.assets = new Map(city.assets.map((a) => [a.id, a]));
  }

  show(sensorId: string): void {
    const changed = this.selected !== sensorId;
    this.selected = sensorId;
    if (changed) {
      void this.trend.load(sensorId);
      const state = this.layer.state(sensorId);
      if (state !== undefined) this.trend.push(state.ts, state.value);
    }
    this.render();
  }

  hide(): void {
    this.selected = undefined;
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  /** Re-renders when the selected sensor is among `changed` (or always when omitted). */
  refresh(changed?: ReadonlySet<string>): void {
    if (this.selected === undefined || (changed !== undefined && !changed.has(this.selected))) return;
    const state = this.layer.state(this.selected);
    if (state !== undefined) this.trend.push(state.ts, state.value);
    this.render();
  }

  private render(): void {
    const id = this.selected;
    const sensor = id === undefined ? undefined : this.layer.sensor(id);
    if (id === undefined || sensor === undefined) return this.hide();
    const zh = lang() === "zh";
    const kind = sensorKind(sensor.kind);
    const state = this.layer.state(id);
    const asset = this.assets.get(sensor.assetId);
    const offline = this.layer.isOffline(id);
    const level = state?.level ?? "normal";
    const levelText = offline
      ? t("offline")
      : state === undefined
        ? t("noData")
        : LEVEL_LABELS[level][lang()];
    const levelCss = offline || state === undefined ? "#6b7280" : LEVEL_LABELS[level].css;
    const close = h("button", { class: "close", title: t("close"), "aria-label": t("close") }, "×");
    close.addEventListener("click", () => this.onClose());
    const row = (label: string, ...value: (string | Node)[]) =>
      h("div", { class: "row" }, h("span", { class: "k" }, label), h("span", { class: "v" }, ...value));
    const owner = asset?.owner;
    this.root.replaceChildren(
      h(
        "div",
        { class: "head" },
        h("div", { class: "kind" }, kind === undefined ? sensor.kind : zh ? kind.zh : kind.en),
        close,
      ),
      h(
        "div",
        { class: "reading" },
        h(
          "span",
          { class: "value", "data-testid": "value" },
          state === undefined ? "—" : formatValue(state.value),
        ),
        h("span", { class: "unit" }, unitLabel(sensor.kind)),
        h("span", { class: "badge", style: `background:${levelCss}`, "data-testid": "level" }, levelText),
      ),
      this.trend.canvas,
      row(t("quality"), state === undefined ? "—" : t(state.quality satisfies Quality)),
      row(t("time"), state === undefined ? "—" : formatTime(state.ts)),
      row(
        t("asset"),
        asset === undefined ? sensor.assetId : zh ? asset.nameZh : asset.name,
        h("small", {}, asset === undefined ? "" : ` ${ASSET_TYPES[asset.type][zh ? "zh" : "en"]}`),
      ),
      row(t("owner"), owner === undefined ? "—" : `${owner.org} · ${owner.person} · ${owner.phone}`),
      row(t("location"), asset === undefined ? "—" : `${asset.hierarchy.street} / ${asset.hierarchy.grid}`),
      row(t("depth"), `${sensor.position[2].toFixed(1)} m`),
      row(t("sensorId"), h("code", {}, id)),
    );
    this.root.hidden = false;
  }
}
