/**
 * A small trend chart of one sensor's recent numeric readings, drawn on a 2D canvas. History
 * comes from GET api/sensors/{id}/history (last hour by default); live readings are appended.
 * Keeps at most MAX_POINTS points.
 */
import { historyResponseSchema } from "@citytwin/model";
import { authHeaders } from "../auth";

const MAX_POINTS = 2000;
const WIDTH = 290;
const HEIGHT = 54;

export class Sparkline {
  readonly canvas: HTMLCanvasElement;
  private points: [number, number][] = [];
  private sensorId: string | undefined;

  constructor() {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "sparkline";
    this.canvas.width = WIDTH * 2;
    this.canvas.height = HEIGHT * 2;
    this.canvas.style.width = `${WIDTH}px`;
    this.canvas.style.height = `${HEIGHT}px`;
  }

  /** Starts a new series for `sensorId` and loads its history; stale responses are ignored. */
  async load(sensorId: string): Promise<void> {
    this.sensorId = sensorId;
    this.points = [];
    this.draw();
    try {
      const res = await fetch(
        new URL(`api/sensors/${encodeURIComponent(sensorId)}/history`, document.baseURI),
        { headers: authHeaders() },
      );
      if (!res.ok) return;
      const parsed = historyResponseSchema.safeParse(await res.json());
      if (!parsed.success || this.sensorId !== sensorId) return;
      const past: [number, number][] = [];
      for (const [ts, v] of parsed.data.points) if (typeof v === "number") past.push([ts, v]);
      const first = this.points[0]?.[0] ?? Number.POSITIVE_INFINITY;
      this.points = [...past.filter((p) => p[0] < first), ...this.points].slice(-MAX_POINTS);
      this.draw();
    } catch {
      // no history service: the chart fills from live readings
    }
  }

  push(ts: number, value: unknown): void {
    if (typeof value !== "number") return;
    const last = this.points[this.points.length - 1];
    if (last !== undefined && ts <= last[0]) return;
    this.points.push([ts, value]);
    if (this.points.length > MAX_POINTS) this.points.shift();
    this.draw();
  }

  private draw(): void {
    const ctx = this.canvas.getContext("2d");
    if (ctx === null) return;
    const w = this.canvas.width;
    const hgt = this.canvas.height;
    ctx.clearRect(0, 0, w, hgt);
    ctx.fillStyle = "rgba(56, 189, 248, 0.06)";
    ctx.fillRect(0, 0, w, hgt);
    const first = this.points[0];
    const last = this.points[this.points.length - 1];
    if (first === undefined || last === undefined || this.points.length < 2) return;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const [, v] of this.points) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const span = max - min || 1;
    const dt = last[0] - first[0] || 1;
    ctx.strokeStyle = "#38bdf8";
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (const [i, [ts, v]] of this.points.entries()) {
      const x = ((ts - first[0]) / dt) * (w - 4) + 2;
      const y = hgt - 4 - ((v - min) / span) * (hgt - 8);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  }
}
