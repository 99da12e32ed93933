/**
 * One alarm row: level chip in its LEVEL_LABELS colour, asset name in the current language,
 * explanation, ISA-18.2 state badge (unacknowledged rows flash, via CSS), age, shelving
 * (until/by/reason) and incident state. `rowKey` names everything a row shows except its age, so
 * the list rebuilds a row only when that changes.
 */
import { LEVEL_LABELS, type Alarm, type Asset, type Incident } from "@citytwin/model";
import { h } from "../ui/dom";
import { formatTime } from "../ui/format";
import { lang, pick } from "../ui/i18n";
import { s } from "./strings";

/** The ISA-18.2 state with the design flags that apply. */
export function stateLabel(a: Alarm): string {
  const parts = [s(a.state)];
  if (a.shelved !== undefined) parts.push(s("shelved"));
  if (a.suppressed) parts.push(s("suppressed"));
  if (a.outOfService) parts.push(s("outOfService"));
  if (a.groupedUnder !== undefined) parts.push(s("grouped"));
  return parts.join(" · ");
}

export function rowKey(a: Alarm, incident: Incident | undefined, selected: boolean): string {
  const sh = a.shelved;
  return [
    lang(),
    selected,
    a.level,
    stateLabel(a),
    pick(a.explanation),
    sh === undefined ? "" : `${sh.until}/${sh.by}/${sh.reason}`,
    incident === undefined ? "" : `${incident.state}/${incident.assignee ?? ""}`,
  ].join("|");
}

export interface BuiltRow {
  el: HTMLElement;
  /** The age label, updated in place by the list's 1 s tick. */
  age: HTMLElement;
}

export function buildRow(
  a: Alarm,
  asset: Asset | undefined,
  incident: Incident | undefined,
  selected: boolean,
): BuiltRow {
  const name = asset === undefined ? a.assetId : lang() === "zh" ? asset.nameZh : asset.name;
  const age = h("span", { class: "alarm-age" });
  const classes = ["alarm-row", a.state];
  if (a.shelved !== undefined) classes.push("shelved");
  if (selected) classes.push("selected");
  const shelf =
    a.shelved === undefined
      ? null
      : h(
          "div",
          { class: "alarm-shelf" },
          `${s("shelvedUntil")} ${formatTime(a.shelved.until, false)} · ${s("by")} ${a.shelved.by} · ` +
            a.shelved.reason,
        );
  const assignee = incident?.assignee === undefined ? "" : ` · ${incident.assignee}`;
  const incidentLine =
    incident === undefined
      ? null
      : h(
          "div",
          { class: `alarm-incident ${incident.state}` },
          `${s("incident")}: ${s(incident.state)}${assignee}`,
        );
  const el = h(
    "div",
    {
      class: classes.join(" "),
      "data-alarm-id": a.id,
      "data-level": a.level,
      "data-state": a.state,
      tabindex: "0",
    },
    h(
      "div",
      { class: "alarm-line" },
      h(
        "span",
        { class: "alarm-chip", style: `background:${LEVEL_LABELS[a.level].css}` },
        LEVEL_LABELS[a.level][lang()],
      ),
      h("span", { class: "alarm-asset", title: name }, name),
      age,
    ),
    h("div", { class: `alarm-state ${a.state}` }, stateLabel(a)),
    h("div", { class: "alarm-expl" }, pick(a.explanation)),
    shelf,
    incidentLine,
  );
  return { el, age };
}
