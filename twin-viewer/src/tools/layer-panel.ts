/**
 * Layer toggles: one chip per domain (on = shown), and an "areas" drop-down with a checkbox per
 * district and per street in it. Hierarchy names are the city's administrative names (data, as
 * the gateway holds them); the district shows its English name when it is the city model's.
 */
import { DOMAINS, type CityModel, type Domain } from "@citytwin/model";
import type { CityIndex } from "../core/city-index";
import { h } from "../ui/dom";
import { defineStrings, lang, localName } from "../ui/i18n";
import { streetKey, type LayerFilter } from "./layer-filter";

const s = defineStrings({
  layers: { zh: "图层", en: "Layers" },
  areas: { zh: "区域 ▾", en: "Areas ▾" },
  gas: { zh: "燃气", en: "Gas" },
  water: { zh: "供水", en: "Water" },
  drainage: { zh: "排水", en: "Drainage" },
  bridge: { zh: "桥梁", en: "Bridges" },
  pole: { zh: "智能杆", en: "Poles" },
  environment: { zh: "环境", en: "Environment" },
});

export class LayerPanel {
  readonly el = h("div", { class: "layers" });
  private open = false;
  /** Streets per district, sorted. */
  private readonly streets = new Map<string, string[]>();

  constructor(
    private readonly filter: LayerFilter,
    private readonly city: CityModel,
    index: CityIndex,
  ) {
    for (const a of index.assets.values()) {
      const list = this.streets.get(a.hierarchy.district) ?? [];
      if (!list.includes(a.hierarchy.street)) list.push(a.hierarchy.street);
      this.streets.set(a.hierarchy.district, list);
    }
    for (const list of this.streets.values()) list.sort();
    this.render();
  }

  render(): void {
    const chips = DOMAINS.map((d) => this.chip(d));
    const areas = h("button", { class: "toggle", "data-testid": "areas" }, s("areas"));
    areas.addEventListener("click", () => {
      this.open = !this.open;
      this.render();
    });
    this.el.replaceChildren(
      h("span", { class: "label" }, s("layers")),
      ...chips,
      areas,
      ...(this.open ? [this.areaList()] : []),
    );
  }

  private chip(domain: Domain): HTMLButtonElement {
    const shown = !this.filter.domains.has(domain);
    const btn = h(
      "button",
      { class: shown ? "toggle on" : "toggle", "data-testid": `layer-${domain}` },
      s(domain),
    );
    btn.addEventListener("click", () => {
      this.filter.toggleDomain(domain);
      this.render();
    });
    return btn;
  }

  private areaList(): HTMLElement {
    const rows: HTMLElement[] = [];
    for (const [district, streets] of [...this.streets].sort((a, b) => a[0].localeCompare(b[0]))) {
      rows.push(
        this.check(
          this.districtLabel(district),
          !this.filter.districts.has(district),
          `district-${district}`,
          () => this.filter.toggleDistrict(district),
        ),
      );
      for (const street of streets)
        rows.push(
          this.check(
            localName(street),
            !this.filter.streets.has(streetKey(district, street)),
            `street-${district}/${street}`,
            () => this.filter.toggleStreet(district, street),
            "street",
          ),
        );
    }
    return h("div", { class: "area-list", "data-testid": "area-list" }, ...rows);
  }

  private check(label: string, on: boolean, testid: string, toggle: () => void, cls = ""): HTMLElement {
    const box = h("input", { type: "checkbox", "data-testid": testid });
    box.checked = on;
    box.addEventListener("change", () => {
      toggle();
      this.render();
    });
    return h("label", { class: cls }, box, label);
  }

  private districtLabel(district: string): string {
    return lang() === "en" && district === this.city.district.nameZh ? this.city.district.name : district;
  }
}
