/**
 * The selected sensor's history: a range picker (15 min … 24 h), a TimeChart of
 * GET api/sensors/{id}/history?from=&to= with the kind's level thresholds, the source (hot store /
 * InfluxDB) and "no data in range". Live mode: the window ends now and live points are appended.
 * Replay: the window is centred on the replay instant, marked by a vertical line; it reloads only
 * when the instant leaves the middle half of the loaded window (debounced).
 */
import {
  historyResponseSchema,
  LEVELS,
  sensorKind,
  type HistoryResponse,
  type Sensor,
} from "@citytwin/model";
import { TimeChart, type ChartThreshold } from "../charts/time-chart";
import type { AppContext, TimeMode } from "../core/app-context";
import { apiGet } from "../core/api";
import { h } from "../ui/dom";
import { unitLabel } from "../ui/format";
import { pick } from "../ui/i18n";
import { ds } from "./strings";

export const RANGES = [
  { key: "range15m", ms: 15 * 60_000 },
  { key: "range1h", ms: 3_600_000 },
  { key: "range6h", ms: 6 * 3_600_000 },
  { key: "range24h", ms: 24 * 3_600_000 },
] as const;

const CHART_HEIGHT = 150;
const REPLAY_RELOAD_MS = 300;

export interface ChartProbe {
  points: number;
  firstTs: number | undefined;
  lastTs: number | undefined;
  timestamps: number[];
  values: (number | null)[];
  thresholds: number[];
  /** Canvas-pixel row of each threshold line (for reading the drawn pixels). */
  thresholdRows: number[];
  source: HistoryResponse["source"] | undefined;
  /** The range last requested from the gateway, ms. */
  from: number;
  to: number;
  loading: boolean;
}

type LoadState = "loading" | "ready" | "failed";

export class HistoryChart {
  readonly root = h("section", { class: "detail-history", "data-testid": "history" });
  private chart: TimeChart | undefined;
  private sensor: Sensor | undefined;
  private rangeMs: number = RANGES[0].ms;
  private loaded = { from: 0, to: 0 };
  private source: HistoryResponse["source"] | undefined;
  private state: LoadState = "loading";
  private pointCount = 0;
  private request = 0;
  private replayTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly chartBox = h("div", { class: "chart-box" });
  private readonly header = h("div", { class: "history-head" });
  private readonly note = h("div", { class: "history-note", "data-testid": "history-note" });

  constructor(
    private readonly ctx: AppContext,
    private readonly width: number,
  ) {
    this.root.append(this.header, this.chartBox, this.note);
  }

  /** Shows `sensor`'s history (reloads when it or the language changed). */
  show(sensor: Sensor): void {
    this.sensor = sensor;
    this.rebuildChart();
    void this.load();
  }

  /** Re-labels after a language change, keeping the loaded data. */
  relabel(): void {
    if (this.sensor === undefined) return;
    const data = this.chart?.plot.data;
    this.rebuildChart();
    if (data !== undefined)
      this.chart?.setData(
        Array.from(data[0], (s) => s * 1000),
        [Array.from(data[1] ?? [], (v) => v ?? null)],
      );
    this.renderChrome();
  }

  /** A live reading of the shown sensor (ignored in replay). */
  appendLive(ts: number, value: unknown): void {
    if (this.ctx.time().mode !== "live" || this.state !== "ready") return;
    const wasEmpty = this.pointCount === 0;
    this.chart?.append(ts, [typeof value === "number" ? value : null]);
    this.pointCount = this.chart?.plot.data[0].length ?? 0;
    if (wasEmpty && this.pointCount > 0) this.renderChrome();
  }

  /** Follows the time mode: reload for live, marker (and maybe reload) for replay. */
  onTime(mode: TimeMode): void {
    if (this.sensor === undefined) return;
    if (mode.mode === "live") {
      this.chart?.setMarker(undefined);
      void this.load();
      return;
    }
    this.chart?.setMarker(mode.at);
    const quarter = (this.loaded.to - this.loaded.from) / 4;
    if (mode.at >= this.loaded.from + quarter && mode.at <= this.loaded.to - quarter) return;
    clearTimeout(this.replayTimer);
    this.replayTimer = setTimeout(() => void this.load(), REPLAY_RELOAD_MS);
  }

  probe(): ChartProbe | undefined {
    const plot = this.chart?.plot;
    if (plot === undefined) return undefined;
    const timestamps = Array.from(plot.data[0], (s) => Math.round(s * 1000));
    return {
      points: timestamps.length,
      firstTs: timestamps[0],
      lastTs: timestamps[timestamps.length - 1],
      timestamps,
      values: Array.from(plot.data[1] ?? [], (v) => v ?? null),
      thresholds: this.thresholds().map((t) => t.value),
      thresholdRows: this.thresholds().map((t) => Math.round(plot.valToPos(t.value, "y", true))),
      source: this.source,
      from: this.loaded.from,
      to: this.loaded.to,
      loading: this.state === "loading",
    };
  }

  destroy(): void {
    clearTimeout(this.replayTimer);
    this.request++;
    this.chart?.destroy();
    this.chart = undefined;
    this.sensor = undefined;
  }

  private thresholds(): ChartThreshold[] {
    const t = this.sensor === undefined ? undefined : sensorKind(this.sensor.kind)?.thresholds;
    if (t === undefined) return [];
    const out: ChartThreshold[] = [];
    for (const level of LEVELS) {
      if (level === "normal") continue;
      const value = t[level];
      if (value !== undefined) out.push({ value, level });
    }
    return out;
  }

  private rebuildChart(): void {
    this.chart?.destroy();
    const sensor = this.sensor!;
    const kind = sensorKind(sensor.kind);
    this.chart = new TimeChart(this.chartBox, {
      series: [
        {
          label: kind === undefined ? sensor.kind : pick(kind),
          unit: unitLabel(sensor.kind),
          color: "#38bdf8",
        },
      ],
      thresholds: this.thresholds(),
      height: CHART_HEIGHT,
      width: this.width,
    });
    const mode = this.ctx.time();
    this.chart.setMarker(mode.mode === "replay" ? mode.at : undefined);
    this.renderChrome();
  }

  private async load(): Promise<void> {
    const sensor = this.sensor;
    if (sensor === undefined) return;
    const mode = this.ctx.time();
    const to = mode.mode === "replay" ? mode.at + this.rangeMs / 2 : Date.now() + this.ctx.clockSkewMs();
    const from = to - this.rangeMs;
    const request = ++this.request;
    this.loaded = { from: Math.round(from), to: Math.round(to) };
    this.state = "loading";
    this.renderChrome();
    try {
      const path = `api/sensors/${encodeURIComponent(sensor.id)}/history?from=${this.loaded.from}&to=${this.loaded.to}`;
      const res = await apiGet(path, historyResponseSchema);
      if (request !== this.request) return;
      this.source = res.source;
      this.chart?.setData(
        res.points.map((p) => p[0]),
        [res.points.map((p) => (typeof p[1] === "number" ? p[1] : null))],
      );
      this.chart?.setWindow(this.rangeMs);
      this.pointCount = res.points.length;
      this.state = "ready";
    } catch {
      if (request !== this.request) return;
      this.chart?.setData([], [[]]);
      this.pointCount = 0;
      this.state = "failed";
    }
    this.renderChrome();
  }

  /** Title, range buttons, source and the status note (not the chart itself). */
  private renderChrome(): void {
    const buttons = RANGES.map((r) => {
      const b = h(
        "button",
        { class: r.ms === this.rangeMs ? "range on" : "range", "data-range": String(r.ms / 60_000) },
        ds(r.key),
      );
      b.addEventListener("click", () => {
        this.rangeMs = r.ms;
        void this.load();
      });
      return b;
    });
    const source = this.source === undefined ? "" : ds(this.source === "hot" ? "sourceHot" : "sourceInflux");
    this.header.replaceChildren(
      h("span", { class: "detail-title" }, ds("history")),
      h("span", { class: "ranges" }, ...buttons),
    );
    const status =
      this.state === "loading"
        ? ds("loading")
        : this.state === "failed"
          ? ds("loadFailed")
          : this.pointCount === 0
            ? ds("noDataInRange")
            : "";
    this.note.replaceChildren(
      h("span", { "data-testid": "history-status" }, status),
      h("span", { class: "source", "data-testid": "history-source" }, this.state === "ready" ? source : ""),
    );
  }
}
