/**
 * The live feed for the viewer benchmark: every sensor once per `periodMs`, sent in `slices`
 * frames spread over the period (as the gateway's live hub sends one coalesced frame per tick).
 * Values follow each sensor kind's normal range; `alarmShare` of the sensors per period cross a
 * threshold so colours really change (a recolour, not only a value update).
 */
import { levelFor, sensorKind, type CityModel, type LiveMessage, type LiveReading } from "@citytwin/model";

export interface FeedStats {
  frames: number;
  readings: number;
  bytes: number;
}

export class LiveFeed {
  readonly stats: FeedStats = { frames: 0, readings: 0, bytes: 0 };
  private timer: ReturnType<typeof setInterval> | undefined;
  private cursor = 0;
  private tick = 0;

  constructor(
    private readonly city: CityModel,
    private readonly send: (msg: LiveMessage) => number,
    private readonly opts: { periodMs: number; slices: number; alarmShare: number },
  ) {}

  start(): void {
    const every = this.opts.periodMs / this.opts.slices;
    this.timer = setInterval(() => this.sendSlice(), every);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  private sendSlice(): void {
    const sensors = this.city.sensors;
    const per = Math.ceil(sensors.length / this.opts.slices);
    const now = Date.now();
    const r: LiveReading[] = [];
    for (let i = 0; i < per && this.cursor < sensors.length; i++, this.cursor++) {
      const s = sensors[this.cursor]!;
      const kind = sensorKind(s.kind);
      const alarmed =
        ((this.cursor * 2654435761 + this.tick * 7919) >>> 0) % 1000 < this.opts.alarmShare * 1000;
      // Three decimals, as field devices report (a full double would inflate the frames ~25 %).
      const raw = alarmed ? alarmValue(kind) : normalValue(kind, Math.sin(now / 5000 + this.cursor));
      const value = Math.round(raw * 1000) / 1000;
      r.push([s.id, now, value, "good", levelFor(kind?.thresholds, value)]);
    }
    if (this.cursor >= sensors.length) {
      this.cursor = 0;
      this.tick++;
    }
    const msg: LiveMessage = { type: "readings", r };
    this.stats.frames++;
    this.stats.readings += r.length;
    this.stats.bytes += JSON.stringify(msg).length;
    this.send(msg);
  }
}

type Kind = ReturnType<typeof sensorKind>;

/** A value at the kind's red threshold (or its maximum without thresholds). */
function alarmValue(kind: Kind): number {
  return kind?.thresholds?.red ?? kind?.max ?? 100;
}

/** A value inside the normal band, wobbling with `phase` ∈ [-1, 1]. */
function normalValue(kind: Kind, phase: number): number {
  const min = kind?.min ?? 0;
  const max = kind?.max ?? 100;
  const t = kind?.thresholds;
  const first = t?.blue ?? t?.yellow ?? t?.orange ?? t?.red;
  const [lo, hi] = first === undefined ? [min, max] : t!.direction === "high" ? [min, first] : [first, max];
  return lo + (hi - lo) * (0.5 + 0.2 * phase);
}
