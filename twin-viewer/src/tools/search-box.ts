/**
 * Search with suggestions: typing lists the best matches (↑/↓ to move, Enter to choose, Esc to
 * close); choosing one selects the asset (and sensor) and flies there via `ctx.focus`.
 */
import { sensorKind } from "@citytwin/model";
import type { AppContext } from "../core/app-context";
import { h } from "../ui/dom";
import { defineStrings, lang } from "../ui/i18n";
import type { SearchHit, SearchIndex } from "./search-index";

const s = defineStrings({
  placeholder: { zh: "搜索资产、传感器、设备编号或名称", en: "Search asset, sensor, device id or name" },
  none: { zh: "无匹配结果", en: "No match" },
});

const TYPE_DELAY_MS = 120;

export class SearchBox {
  readonly el: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly list: HTMLUListElement;
  private hits: SearchHit[] = [];
  private active = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly index: SearchIndex,
  ) {
    this.input = h("input", { type: "search", class: "search-input", "data-testid": "search" });
    this.list = h("ul", { class: "suggestions", "data-testid": "search-suggestions", hidden: "" });
    this.el = h("div", { class: "search" }, this.input, this.list);
    this.input.addEventListener("input", () => {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.suggest(), TYPE_DELAY_MS);
    });
    this.input.addEventListener("keydown", (ev) => this.key(ev));
    this.input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    this.render();
  }

  /** Re-labels (language change). */
  render(): void {
    this.input.placeholder = s("placeholder");
    if (!this.list.hidden) this.drawList();
  }

  private suggest(): void {
    this.timer = undefined;
    this.hits = this.index.search(this.input.value);
    this.active = 0;
    this.list.hidden = this.input.value.trim() === "";
    this.drawList();
  }

  private key(ev: KeyboardEvent): void {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (this.hits.length === 0) return;
      const step = ev.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + this.hits.length) % this.hits.length;
      this.drawList();
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      if (this.timer !== undefined) {
        clearTimeout(this.timer);
        this.suggest();
      }
      const hit = this.hits[this.active];
      if (hit !== undefined) this.choose(hit);
    } else if (ev.key === "Escape") {
      this.close();
    }
  }

  private choose(hit: SearchHit): void {
    this.ctx.focus({ assetId: hit.assetId, sensorId: hit.sensorId }, { fly: true });
    this.input.value = "";
    this.close();
  }

  private close(): void {
    this.list.hidden = true;
    this.list.replaceChildren();
    this.hits = [];
  }

  private drawList(): void {
    if (this.hits.length === 0) {
      this.list.replaceChildren(h("li", { class: "none" }, s("none")));
      return;
    }
    this.list.replaceChildren(
      ...this.hits.map((hit, i) => {
        const li = h(
          "li",
          { class: i === this.active ? "active" : "", "data-id": hit.id },
          h("span", {}, this.label(hit)),
          h("code", {}, hit.id),
        );
        li.addEventListener("mousedown", (ev) => {
          ev.preventDefault();
          this.choose(hit);
        });
        return li;
      }),
    );
  }

  private label(hit: SearchHit): string {
    const asset = this.ctx.index.assets.get(hit.assetId);
    const name = asset === undefined ? hit.assetId : lang() === "zh" ? asset.nameZh : asset.name;
    if (hit.sensorId === undefined) return name;
    const kind = sensorKind(this.ctx.index.sensors.get(hit.sensorId)?.kind ?? "");
    return kind === undefined ? name : `${name} · ${lang() === "zh" ? kind.zh : kind.en}`;
  }
}
