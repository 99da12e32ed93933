/**
 * `#overview`: the operations overview, compact and collapsible. City-wide line (sensors
 * reporting, devices and gateways online, 24 h incident closure and median time to close) and a
 * table per district and street (reporting/total, levels, worst level, active alarms). Refreshes
 * every 10 s and after alarm/incident changes (coalesced to ≥ 1 s); levels come from
 * `ctx.sensors.state`, so it describes what the scene draws (live or replay). A row click flies
 * to the centre of the area's assets. Publishes its height as `--ct-overview-height` on #app so
 * the alarm panel sits below it. Probe: `__citytwin.features.overview`.
 */
import "./overview.css";
import { LEVEL_LABELS, LEVELS, type Level } from "@citytwin/model";
import { alarmStoreOf } from "../alarms/alarm-store";
import { renderSoon } from "../alarms/render-soon";
import type { AppContext } from "../core/app-context";
import { flyToPosition } from "../scene/geo";
import { registerProbe } from "../test-hooks";
import { byId, h } from "../ui/dom";
import { lang, localName } from "../ui/i18n";
import { closureOver, type Closure } from "./closure";
import { loadGateways } from "../core/gateways";
import { countDevices, type DeviceCounts } from "./devices";
import { s } from "./strings";
import { areaCentre, computeSigns, groupAreas, type AreaSigns, type DistrictSigns } from "./vital-signs";

const REFRESH_MS = 10_000;

export interface OverviewProbe {
  districts(): DistrictSigns[];
  readonly devicesOnline: number | undefined;
  readonly devicesTotal: number;
  readonly gatewaysOnline: number | undefined;
  /** closed ÷ opened over the last 24 h; undefined when nothing opened. */
  readonly closureRate: number | undefined;
  readonly medianCloseMs: number | undefined;
  /** Re-reads /api/gateways and recomputes now (tests compare against the same instant). */
  refresh(): Promise<void>;
}

export function mountOverview(ctx: AppContext): void {
  const root = byId("overview");
  const store = alarmStoreOf(ctx);
  const groups = groupAreas(ctx.index);
  const deviceIds = new Set(ctx.index.devices.keys());
  let districts: DistrictSigns[] = [];
  let devices: DeviceCounts | undefined;
  let closure: Closure = closureOver([], Date.now());
  let collapsed = false;

  const recompute = () => {
    districts = computeSigns(groups, ctx.sensors, store.alarms.values());
    closure = closureOver(store.incidents.values(), Date.now());
    render();
  };
  const refresh = async () => {
    try {
      devices = countDevices(await loadGateways(), deviceIds);
    } catch (err) {
      console.warn("overview: gateways failed", (err as Error).message);
    }
    recompute();
  };

  const areaName = (a: AreaSigns): string => {
    if (a.street !== undefined) return localName(a.street);
    const d = ctx.city.district;
    // The model's district may carry a longer official name ("包河区（滨湖新区）") than the hierarchy.
    const isModelDistrict = a.district === d.name || d.nameZh.startsWith(a.district);
    if (!isModelDistrict) return localName(a.district);
    return lang() === "zh" ? d.nameZh : d.name;
  };

  const row = (a: AreaSigns): HTMLElement => {
    const levels = LEVELS.filter((l) => l !== "normal" && a.byLevel[l] > 0).map((l) =>
      h("span", { class: "ov-level", style: `color:${LEVEL_LABELS[l].css}` }, `●${a.byLevel[l]}`),
    );
    const tr = h(
      "tr",
      {
        class: a.street === undefined ? "ov-district" : "ov-street",
        title: s("flyTo"),
        "data-district": a.district,
        ...(a.street === undefined ? {} : { "data-street": a.street }),
      },
      h("td", { class: "ov-name", title: areaName(a) }, areaName(a)),
      h("td", { class: "ov-num" }, `${a.sensorsReporting}/${a.sensorsTotal}`),
      h("td", {}, ...levels),
      h("td", {}, levelChip(a.worst)),
      h("td", { class: "ov-num" }, a.activeAlarms),
    );
    tr.addEventListener("click", () => {
      const centre = areaCentre(groups, a.district, a.street);
      if (centre !== undefined) flyToPosition(ctx.viewer, centre);
    });
    return tr;
  };

  function render(): void {
    const toggle = h(
      "button",
      { class: "ov-toggle", "data-action": "collapse" },
      collapsed ? s("expand") : s("collapse"),
    );
    toggle.addEventListener("click", () => {
      collapsed = !collapsed;
      render();
    });
    const reporting = districts.reduce((n, d) => n + d.sensorsReporting, 0);
    const total = districts.reduce((n, d) => n + d.sensorsTotal, 0);
    const pct = (r: number | undefined) => (r === undefined ? s("none") : `${Math.round(r * 100)}%`);
    const median =
      closure.medianCloseMs === undefined
        ? s("none")
        : `${Math.round(closure.medianCloseMs / 60_000)} ${s("minutes")}`;
    const stat = (label: string, value: string, id: string) =>
      h("span", { class: "ov-stat", "data-stat": id }, `${label} `, h("b", {}, value));
    const summary = h(
      "div",
      { class: "ov-summary" },
      stat(s("sensorsOnline"), `${reporting}/${total}`, "sensors"),
      stat(
        s("devicesOnline"),
        devices === undefined ? s("none") : `${devices.devicesOnline}/${devices.devicesTotal}`,
        "devices",
      ),
      stat(
        s("gatewaysOnline"),
        devices === undefined ? s("none") : `${devices.gatewaysOnline}/${devices.gatewaysTotal}`,
        "gateways",
      ),
      stat(s("closureRate"), `${pct(closure.rate)} (${closure.closed}/${closure.opened})`, "closure"),
      stat(s("medianClose"), median, "median"),
    );
    const head = h(
      "tr",
      {},
      ...[s("area"), s("reporting"), s("levels"), s("worst"), s("alarms")].map((t) => h("th", {}, t)),
    );
    const table = collapsed
      ? null
      : h(
          "table",
          { class: "ov-table" },
          h("thead", {}, head),
          h("tbody", {}, ...districts.flatMap((d) => [row(d), ...d.streets.map(row)])),
        );
    root.replaceChildren(
      h("div", { class: "ov-head" }, h("b", {}, s("title")), toggle),
      summary,
      table ?? "",
    );
  }

  new ResizeObserver(() =>
    byId("app").style.setProperty("--ct-overview-height", `${root.offsetHeight}px`),
  ).observe(root);
  const recomputeSoon = renderSoon(recompute, 1000);
  store.onChange(recomputeSoon);
  ctx.bus.on("time", recomputeSoon); // the 10 s refresh catches a replay snapshot applied later
  ctx.bus.on("lang", () => render());
  setInterval(() => void refresh(), REFRESH_MS);
  void refresh();

  const probe: OverviewProbe = {
    districts: () => districts,
    get devicesOnline() {
      return devices?.devicesOnline;
    },
    devicesTotal: deviceIds.size,
    get gatewaysOnline() {
      return devices?.gatewaysOnline;
    },
    get closureRate() {
      return closure.rate;
    },
    get medianCloseMs() {
      return closure.medianCloseMs;
    },
    refresh,
  };
  registerProbe("overview", probe);
}

function levelChip(level: Level): HTMLElement {
  return h(
    "span",
    { class: "ov-chip", style: `background:${LEVEL_LABELS[level].css}` },
    LEVEL_LABELS[level][lang()],
  );
}
