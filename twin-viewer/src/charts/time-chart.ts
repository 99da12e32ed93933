/**
 * A dark-themed uPlot time chart: one or more numeric series over time (x in ms at the API,
 * seconds inside uPlot), nulls drawn as gaps, level thresholds as dashed horizontal lines and an
 * optional vertical marker (the replay instant), both painted in uPlot's `draw` hook.
 * `append` adds live points and keeps the window width of the data set by `setData`.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./time-chart.css";
import { LEVEL_LABELS, type Level } from "@citytwin/model";
import { formatValue } from "../ui/format";
import { lang } from "../ui/i18n";

export interface ChartSeries {
  label: string;
  unit: string;
  color: string;
}

/** A horizontal dashed line in LEVEL_LABELS[level].css. */
export interface ChartThreshold {
  value: number;
  level: Level;
}

export interface TimeChartOptions {
  series: ChartSeries[];
  thresholds?: ChartThreshold[];
  height: number;
  width?: number;
}

const AXIS_STROKE = "#8ea2bd";
const GRID_STROKE = "rgba(96, 140, 200, 0.18)";
const MARKER_STROKE = "#e2e8f0";
const DEFAULT_WIDTH = 320;

export class TimeChart {
  readonly plot: uPlot;
  private xs: number[] = [];
  private ys: (number | null)[][];
  private thresholds: ChartThreshold[];
  private markerSec: number | undefined;
  private windowSec: number | undefined;

  constructor(container: HTMLElement, opts: TimeChartOptions) {
    this.thresholds = opts.thresholds ?? [];
    this.ys = opts.series.map(() => []);
    const axis = (): uPlot.Axis => ({
      stroke: AXIS_STROKE,
      grid: { stroke: GRID_STROKE, width: 1 },
      ticks: { stroke: GRID_STROKE, width: 1 },
      font: "11px sans-serif",
    });
    this.plot = new uPlot(
      {
        width: opts.width ?? (container.clientWidth || DEFAULT_WIDTH),
        height: opts.height,
        class: "ct-time-chart",
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, min, max) => this.yRange(min, max) } },
        // Locale-aware time axis and legend (24-hour clock in the UI language).
        axes: [
          { ...axis(), values: (_u, splits) => splits.map((s) => timeLabel(s * 1000, false)) },
          { ...axis(), size: 46 },
        ],
        series: [
          { value: (_u, v) => (v === null ? "—" : timeLabel(v * 1000, true)) },
          ...opts.series.map((s): uPlot.Series => ({
            label: s.label,
            stroke: s.color,
            width: 1.5,
            spanGaps: false,
            points: { show: false },
            value: (_u, v) => (v === null ? "—" : `${formatValue(v)} ${s.unit}`.trim()),
          })),
        ],
        hooks: { draw: [(u) => this.drawOverlays(u)] },
      },
      [[], ...this.ys],
      container,
    );
  }

  /** Replaces the data: `values[i]` is series i, aligned with `tsMs` (ascending). */
  setData(tsMs: number[], values: (number | null)[][]): void {
    this.xs = tsMs.map((t) => t / 1000);
    this.ys = this.ys.map((_, i) => (values[i] ?? []).slice());
    this.redraw();
  }

  /**
   * Appends one live sample (ignored unless newer than the last); drops points older than the
   * window: `setWindow`'s width, else the span of the data before the append.
   */
  append(tsMs: number, values: (number | null)[]): void {
    const x = tsMs / 1000;
    const last = this.xs[this.xs.length - 1];
    if (last !== undefined && x <= last) return;
    const windowSec = this.windowSec ?? (this.xs.length > 1 ? last! - this.xs[0]! : undefined);
    this.xs.push(x);
    this.ys.forEach((ys, i) => ys.push(values[i] ?? null));
    if (windowSec !== undefined && windowSec > 0) {
      let drop = 0;
      while (drop < this.xs.length - 1 && this.xs[drop]! < x - windowSec) drop++;
      if (drop > 0) {
        this.xs.splice(0, drop);
        for (const ys of this.ys) ys.splice(0, drop);
      }
    }
    this.redraw();
  }

  /** The width `append` keeps (e.g. the chosen range); undefined: the data's own span. */
  setWindow(ms: number | undefined): void {
    this.windowSec = ms === undefined ? undefined : ms / 1000;
  }

  /** Vertical line at `tsMs` (the replay instant); undefined removes it. */
  setMarker(tsMs: number | undefined): void {
    this.markerSec = tsMs === undefined ? undefined : tsMs / 1000;
    this.plot.redraw(false);
  }

  setThresholds(t: ChartThreshold[]): void {
    this.thresholds = t;
    this.redraw();
  }

  resize(width: number): void {
    this.plot.setSize({ width, height: this.plot.height });
  }

  destroy(): void {
    this.plot.destroy();
  }

  private redraw(): void {
    this.plot.setData([this.xs, ...this.ys]);
  }

  /** The y range covers the data and every threshold, so the lines are always visible. */
  private yRange(min: number | null, max: number | null): uPlot.Range.MinMax {
    let lo = min ?? Number.POSITIVE_INFINITY;
    let hi = max ?? Number.NEGATIVE_INFINITY;
    for (const t of this.thresholds) {
      lo = Math.min(lo, t.value);
      hi = Math.max(hi, t.value);
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
    const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }

  private drawOverlays(u: uPlot): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    // Whole-pixel line widths on pixel-aligned rows: crisp lines in exactly the level colour.
    const lineWidth = Math.max(1, Math.round(devicePixelRatio));
    const align = (v: number) => Math.round(v) + (lineWidth % 2) / 2;
    ctx.save();
    ctx.lineWidth = lineWidth;
    ctx.setLineDash([6 * lineWidth, 4 * lineWidth]);
    for (const t of this.thresholds) {
      const y = align(u.valToPos(t.value, "y", true));
      if (y < top || y > top + height) continue;
      ctx.strokeStyle = LEVEL_LABELS[t.level].css;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
    }
    if (this.markerSec !== undefined) {
      const x = align(u.valToPos(this.markerSec, "x", true));
      if (x >= left && x <= left + width) {
        ctx.setLineDash([]);
        ctx.strokeStyle = MARKER_STROKE;
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
      }
    }
    ctx.restore();
  }
}

function timeLabel(ms: number, withSeconds: boolean): string {
  const locale = lang() === "zh" ? "zh-CN" : "en-GB";
  return new Date(ms).toLocaleTimeString(locale, {
    hour12: false,
    hour: "2-digit",
    minute: "2-digit",
    ...(withSeconds ? { second: "2-digit" } : {}),
  });
}
