/**
 * `#alarms`: the live alarm list, the selected alarm's evidence and actions, the flood banner,
 * and the new-red-alarm cue. Store changes are coalesced into one render per ≥ 250 ms; ages tick
 * from one 1 s timer. Clicking a row selects the alarm and flies to its asset (and its sensor when
 * the source is one). Probe: `__citytwin.features.alarms` (rows, cue, refusals).
 */
import "./alarms.css";
import type { Alarm, LiveMessage } from "@citytwin/model";
import { hasRole, type AppContext } from "../core/app-context";
import { registerProbe } from "../test-hooks";
import { byId, h } from "../ui/dom";
import { localName } from "../ui/i18n";
import { AlarmActions } from "./alarm-actions";
import { AlarmEvidence } from "./alarm-evidence";
import { AlarmList, type ShownRow } from "./alarm-list";
import { alarmStoreOf } from "./alarm-store";
import { RedCue, type CueState } from "./red-cue";
import { renderSoon } from "./render-soon";
import { s } from "./strings";

export interface AlarmsProbe {
  rows(): ShownRow[];
  cue(): CueState;
  refusals(): string[];
}

type FloodFrame = Extract<LiveMessage, { type: "flood" }>;

export function mountAlarmPanel(ctx: AppContext): void {
  const root = byId("alarms");
  const store = alarmStoreOf(ctx);
  const list = new AlarmList(store, ctx.index, (id) => select(id));
  const evidence = new AlarmEvidence();
  const actions = new AlarmActions(store, hasRole(ctx.session, "operator"));
  const cue = new RedCue(byId("app"));
  const floods = new Map<string, FloodFrame>();
  const title = h("div", { class: "alarm-title" });
  const flood = h("div", { class: "alarm-flood", "data-testid": "alarm-flood", hidden: "" });
  const detail = h("div", { class: "alarm-detail" }, actions.root, evidence.root);
  root.replaceChildren(title, cue.banner, flood, list.root, detail);

  const selected = (): Alarm | undefined =>
    list.selectedId === undefined ? undefined : store.alarms.get(list.selectedId);

  function select(alarmId: string): void {
    const a = store.alarms.get(alarmId);
    if (a === undefined) return;
    list.selectedId = a.id;
    const sensorId = ctx.index.sensors.get(a.sourceId)?.assetId === a.assetId ? a.sourceId : undefined;
    ctx.focus({ assetId: a.assetId, ...(sensorId === undefined ? {} : { sensorId }) }, { fly: true });
    render();
  }

  function renderFlood(): void {
    const active = [...floods.values()].filter((f) => f.active);
    flood.hidden = active.length === 0;
    flood.textContent = active
      .map((f) => `${s("flood")} · ${localName(f.position)} · ${f.rate} ${s("floodRate")}`)
      .join("\n");
  }

  function render(): void {
    title.textContent = s("title");
    list.render();
    const a = selected();
    evidence.show(a);
    actions.show(a, a === undefined ? undefined : store.incidentOf(a));
    detail.hidden = a === undefined;
    cue.update(store.alarms.values());
    renderFlood();
  }

  const scheduled = renderSoon(render, 250);
  store.onChange(scheduled);
  ctx.bus.on("live", (msg) => {
    if (msg.type !== "flood") return;
    floods.set(msg.position, msg);
    scheduled();
  });
  // Every part keys its rebuild on the language too, so one render re-labels everything.
  ctx.bus.on("lang", () => render());
  setInterval(() => list.tick(), 1000);
  render();

  const probe: AlarmsProbe = {
    rows: () => list.rows(),
    cue: () => cue.state(),
    refusals: () => [...actions.refusals],
  };
  registerProbe("alarms", probe);
}
