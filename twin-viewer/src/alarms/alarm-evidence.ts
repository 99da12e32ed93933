/**
 * Why the selected alarm was raised: its explanation in the current language, when, and each
 * evidence series as its own time chart (series have their own timestamps and units) with the
 * kind's level thresholds. Charts are rebuilt only when the alarm, its evidence or the language
 * changes, not on every store update.
 */
import { sensorKind, type Alarm, type EvidenceSeries, type Level } from "@citytwin/model";
import { TimeChart, type ChartThreshold } from "../charts/time-chart";
import { h } from "../ui/dom";
import { formatTime, unitLabel } from "../ui/format";
import { lang, pick } from "../ui/i18n";
import { s } from "./strings";

/** At most this many charts (a composite rule may cite many sensors). */
const MAX_CHARTS = 3;
const SERIES_COLOR = "#38bdf8";
const THRESHOLD_LEVELS: readonly Exclude<Level, "normal">[] = ["blue", "yellow", "orange", "red"];

export class AlarmEvidence {
  readonly root = h("div", { class: "alarm-evidence", "data-testid": "alarm-evidence" });
  private charts: TimeChart[] = [];
  private shownKey = "";

  show(alarm: Alarm | undefined): void {
    const last = alarm?.evidence.map((e) => `${e.points.length}@${e.points.at(-1)?.[0] ?? 0}`).join(",");
    const key = alarm === undefined ? "" : `${alarm.id}|${last}|${lang()}`;
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.clear();
    if (alarm === undefined) return;
    this.root.append(
      h(
        "div",
        { class: "alarm-evidence-head" },
        `${s("evidence")} · ${s("raised")} ${formatTime(alarm.raisedAt)}`,
      ),
      h("p", { class: "alarm-evidence-text" }, pick(alarm.explanation)),
    );
    for (const series of alarm.evidence.slice(0, MAX_CHARTS)) this.chart(series);
  }

  private chart(series: EvidenceSeries): void {
    const kind = sensorKind(series.kind);
    const label = kind === undefined ? series.kind : kind[lang()];
    const unit = unitLabel(series.kind) || series.unit;
    const box = h("div", { class: "alarm-chart", "data-sensor-id": series.sensorId });
    this.root.append(
      h("div", { class: "alarm-chart-caption", title: series.sensorId }, `${label} (${unit})`),
      box,
    );
    const thresholds: ChartThreshold[] = [];
    for (const level of THRESHOLD_LEVELS) {
      const value = kind?.thresholds?.[level];
      if (value !== undefined) thresholds.push({ value, level });
    }
    const chart = new TimeChart(box, {
      series: [{ label, unit, color: SERIES_COLOR }],
      thresholds,
      height: 90,
      width: 296,
    });
    chart.setData(
      series.points.map(([ts]) => ts),
      [series.points.map(([, v]) => v)],
    );
    this.charts.push(chart);
  }

  private clear(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.root.replaceChildren();
  }
}
