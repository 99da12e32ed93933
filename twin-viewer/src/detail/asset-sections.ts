/**
 * The panel's static and live sections for one asset: header (name, type, id, hierarchy, owner,
 * contact), the selected sensor's reading, and the sensor list (value, quality, level colour;
 * a click selects the sensor). Pure renderers: each returns fresh nodes from the drawn state.
 */
import { ASSET_TYPES, LEVEL_LABELS, sensorKind, type Asset, type Sensor } from "@citytwin/model";
import type { SensorLayer } from "../sensors/sensor-layer";
import { h } from "../ui/dom";
import { formatTime, formatValue, unitLabel } from "../ui/format";
import { lang, localName, pick } from "../ui/i18n";
import { conditionCss, conditionOf, type SensorCondition } from "./sensor-look";
import { ds } from "./strings";

export function assetName(asset: Asset): string {
  return lang() === "zh" ? asset.nameZh : asset.name;
}

export function sensorLabel(sensor: Sensor): string {
  const kind = sensorKind(sensor.kind);
  const suffix = /_(\d+)$/.exec(sensor.key)?.[1];
  const name = kind === undefined ? sensor.kind : pick(kind);
  return suffix === undefined ? name : `${name} ${suffix}`;
}

function conditionText(c: SensorCondition): string {
  if (c === "offline") return ds("offline");
  if (c === "no-data") return ds("noData");
  return pick(LEVEL_LABELS[c]);
}

const row = (label: string, ...value: (string | Node)[]) =>
  h("div", { class: "row" }, h("span", { class: "k" }, label), h("span", { class: "v" }, ...value));

export function renderHeader(asset: Asset, onClose: () => void): HTMLElement[] {
  const close = h(
    "button",
    { class: "close", title: ds("close"), "aria-label": ds("close"), "data-testid": "detail-close" },
    "×",
  );
  close.addEventListener("click", onClose);
  const { district, street, grid } = asset.hierarchy;
  const { org, person, phone } = asset.owner;
  return [
    h(
      "div",
      { class: "head" },
      h("div", { class: "asset-name", "data-testid": "asset-name" }, assetName(asset)),
      close,
    ),
    h(
      "div",
      { class: "asset-type" },
      pick(ASSET_TYPES[asset.type]),
      " · ",
      h("span", { class: "mono" }, asset.id),
    ),
    row(ds("hierarchy"), `${localName(district)} / ${localName(street)} / ${grid}`),
    row(ds("owner"), localName(org)),
    row(ds("contact"), `${localName(person)} · ${phone}`),
  ];
}

/** The selected sensor's reading; `[data-testid=value]` and the `code` id are what tests read. */
export function renderSelected(layer: SensorLayer, sensor: Sensor): HTMLElement[] {
  const state = layer.state(sensor.id);
  const condition = conditionOf(layer, sensor.id);
  return [
    h("div", { class: "detail-title" }, ds("selected"), " · ", sensorLabel(sensor)),
    h(
      "div",
      { class: "reading" },
      h(
        "span",
        { class: "value", "data-testid": "value" },
        state === undefined ? "—" : formatValue(state.value),
      ),
      h("span", { class: "unit" }, unitLabel(sensor.kind)),
      h(
        "span",
        { class: "badge", style: `background:${conditionCss(condition)}`, "data-testid": "level" },
        conditionText(condition),
      ),
    ),
    row(
      ds("quality"),
      state === undefined ? "—" : ds(state.quality),
      h("span", { class: "muted" }, state === undefined ? "" : ` · ${formatTime(state.ts)}`),
    ),
    row(ds("sensorId"), h("code", {}, sensor.id)),
  ];
}

export function renderSensorList(
  layer: SensorLayer,
  sensors: readonly Sensor[],
  selectedId: string | undefined,
  select: (sensorId: string) => void,
): HTMLElement[] {
  const items = sensors.map((s) => {
    const state = layer.state(s.id);
    const condition = conditionOf(layer, s.id);
    const item = h(
      "li",
      { class: s.id === selectedId ? "sensor on" : "sensor", "data-sensor": s.id, title: s.id },
      h("span", { class: "dot", style: `background:${conditionCss(condition)}` }),
      h("span", { class: "name" }, sensorLabel(s)),
      h(
        "span",
        { class: "val", "data-testid": "sensor-value" },
        state === undefined ? "—" : `${formatValue(state.value)} ${unitLabel(s.kind)}`.trim(),
      ),
      h("span", { class: "q" }, state === undefined ? conditionText(condition) : ds(state.quality)),
    );
    item.addEventListener("click", () => select(s.id));
    return item;
  });
  return [
    h("div", { class: "detail-title" }, ds("sensors"), ` (${sensors.length})`),
    h("ul", { class: "sensor-list", "data-testid": "sensor-list" }, ...items),
  ];
}
