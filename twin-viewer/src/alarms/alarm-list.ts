/**
 * The alarm list: filter tabs with counts, the counts kept off the list by design, and the rows.
 * `render` (coalesced by the caller to ≥ 250 ms) reuses each row's element while what it shows is
 * unchanged and moves nodes only when the order changes, so a row under the pointer stays
 * clickable while alarms update. Ages tick through `tick` (one timer for the list). Remembers
 * when each row first appeared, and first appeared at its current level (probe).
 */
import type { Alarm, Level } from "@citytwin/model";
import type { CityIndex } from "../core/city-index";
import { h } from "../ui/dom";
import { ageLabel, ALARM_TABS, hiddenCounts, listFor, tabCounts, type AlarmTab } from "./alarm-order";
import { buildRow, rowKey, type BuiltRow } from "./alarm-row";
import type { AlarmStore } from "./alarm-store";
import { s } from "./strings";

/** More rows than this are summarised as "+N" (a flood must not build thousands of rows). */
const MAX_ROWS = 300;

export interface ShownRow {
  id: string;
  level: Level;
  state: Alarm["state"];
  /** Date.now() when the row first appeared in the list. */
  shownAt: number;
  /** Date.now() when the row first appeared at its current level. */
  levelShownAt: number;
}

interface CachedRow extends BuiltRow {
  key: string;
  since: number;
}

export class AlarmList {
  readonly root = h("div", { class: "alarm-list" });
  tab: AlarmTab = "active";
  selectedId: string | undefined;
  private readonly tabButtons = new Map<AlarmTab, HTMLButtonElement>();
  private readonly hiddenLine = h("div", { class: "alarm-hidden", "data-testid": "alarm-hidden" });
  private readonly body = h("div", { class: "alarm-rows" });
  private readonly more = h("div", { class: "alarm-more" });
  private readonly rowsById = new Map<string, CachedRow>();
  private readonly shown = new Map<string, ShownRow>();

  constructor(
    private readonly store: AlarmStore,
    private readonly index: CityIndex,
    private readonly onSelect: (alarmId: string) => void,
  ) {
    const tabs = h("div", { class: "alarm-tabs", role: "tablist" });
    for (const tab of ALARM_TABS) {
      const b = h("button", { "data-tab": tab, role: "tab" });
      b.addEventListener("click", () => {
        this.tab = tab;
        this.render();
      });
      this.tabButtons.set(tab, b);
      tabs.append(b);
    }
    this.body.addEventListener("click", (ev) => {
      const row = (ev.target as Element).closest<HTMLElement>("[data-alarm-id]");
      if (row?.dataset.alarmId !== undefined) this.onSelect(row.dataset.alarmId);
    });
    this.root.append(tabs, this.hiddenLine, this.body, this.more);
  }

  render(): void {
    const all = [...this.store.alarms.values()];
    const counts = tabCounts(all);
    const labels = { active: s("tabActive"), shelved: s("tabShelved"), all: s("tabAll") };
    for (const [tab, b] of this.tabButtons) {
      b.textContent = `${labels[tab]} ${counts[tab]}`;
      b.className = tab === this.tab ? "on" : "";
    }
    const hidden = hiddenCounts(all);
    this.hiddenLine.textContent =
      `${s("hiddenCounts")}: ${s("suppressed")} ${hidden.suppressed} · ${s("grouped")} ${hidden.grouped} · ` +
      `${s("outOfService")} ${hidden.outOfService}`;
    const list = listFor(all, this.tab);
    const visible = list.slice(0, MAX_ROWS);
    const now = Date.now();
    const els = visible.map((a) => this.rowFor(a, now).el);
    const current = [...this.body.children];
    if (els.length === 0) this.body.replaceChildren(h("div", { class: "alarm-empty" }, s("empty")));
    else if (current.length !== els.length || els.some((el, i) => current[i] !== el))
      this.body.replaceChildren(...els);
    this.more.textContent = list.length > MAX_ROWS ? `+${list.length - MAX_ROWS}` : "";
    const listed = new Set(visible.map((a) => a.id));
    for (const id of [...this.rowsById.keys()]) if (!listed.has(id)) this.rowsById.delete(id);
    for (const id of [...this.shown.keys()]) if (!this.store.alarms.has(id)) this.shown.delete(id);
    this.tick();
  }

  /** Updates every visible age label (called once per second). */
  tick(): void {
    const now = Date.now();
    for (const row of this.rowsById.values()) row.age.textContent = ageLabel(row.since, now);
  }

  rows(): ShownRow[] {
    return [...this.shown.values()];
  }

  private rowFor(a: Alarm, now: number): CachedRow {
    const seen = this.shown.get(a.id);
    if (seen === undefined)
      this.shown.set(a.id, { id: a.id, level: a.level, state: a.state, shownAt: now, levelShownAt: now });
    else {
      if (seen.level !== a.level) seen.levelShownAt = now;
      seen.level = a.level;
      seen.state = a.state;
    }
    const incident = this.store.incidentOf(a);
    const selected = a.id === this.selectedId;
    const key = rowKey(a, incident, selected);
    const cached = this.rowsById.get(a.id);
    if (cached !== undefined && cached.key === key) return cached;
    const built = {
      ...buildRow(a, this.index.assets.get(a.assetId), incident, selected),
      key,
      since: a.raisedAt,
    };
    this.rowsById.set(a.id, built);
    return built;
  }
}
