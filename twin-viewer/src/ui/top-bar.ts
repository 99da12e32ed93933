/** Title, district name, level legend and the underground / language toggles. */
import { LEVEL_LABELS, LEVELS, type CityModel } from "@citytwin/model";
import { NO_DATA_CSS } from "../sensors/sensor-colors";
import { h } from "./dom";
import { lang, t } from "./i18n";

export interface TopBarActions {
  underground(on: boolean): void;
  toggleLang(): void;
}

export class TopBar {
  underground = true;

  constructor(
    private readonly root: HTMLElement,
    private readonly actions: TopBarActions,
  ) {}

  render(city: CityModel | undefined): void {
    const zh = lang() === "zh";
    const place =
      city === undefined
        ? ""
        : zh
          ? `${city.city.nameZh} · ${city.district.nameZh}`
          : `${city.city.name} · ${city.district.name}`;
    const ug = h(
      "button",
      { class: this.underground ? "toggle on" : "toggle", "data-testid": "underground" },
      t("underground"),
    );
    ug.addEventListener("click", () => {
      this.underground = !this.underground;
      this.actions.underground(this.underground);
      this.render(city);
    });
    const lg = h("button", { class: "toggle", "data-testid": "lang" }, t("lang"));
    lg.addEventListener("click", () => this.actions.toggleLang());
    const legend = h(
      "div",
      { class: "legend" },
      ...LEVELS.map((l) =>
        h("span", {}, h("i", { style: `background:${LEVEL_LABELS[l].css}` }), LEVEL_LABELS[l][lang()]),
      ),
      h("span", {}, h("i", { style: `background:${NO_DATA_CSS}` }), t("noData")),
    );
    this.root.replaceChildren(
      h("div", { class: "brand" }, h("b", {}, "CityTwin"), h("span", {}, t("title")), h("em", {}, place)),
      legend,
      h("div", { class: "actions" }, ug, lg),
    );
  }
}
