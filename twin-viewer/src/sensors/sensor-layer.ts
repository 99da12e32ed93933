/**
 * Every sensor as one point in a single `PointPrimitiveCollection` (the Entity API costs ~50× more
 * per recolour). Readings are queued with `enqueue` and applied at most once per animation frame,
 * followed by one `scene.requestRender()`; a burst of frames costs one render.
 *
 * Live or replay: live readings always update the live states; in replay mode the points show a
 * snapshot instead (`showSnapshot`) and `showLive` returns to the live states, with everything that
 * arrived meanwhile. `state(id)` and `onApplied` always describe what is drawn.
 *
 * Trust: `sweepStale(now)` dims a sensor whose drawn reading is older than 3× its device's
 * interval (./stale.ts); an offline gateway greys its sensors. Visibility (./visibility.ts): layer
 * filters hide points (`setHidden`), clustering (`setClustered`) hides all but sensors in alarm.
 *
 * Point `id` is the sensor id, so `scene.pick` yields it directly. Underground sensors sit at their
 * depth and ignore depth testing so they stay visible through the ground.
 */
import type { PointPrimitive, PointPrimitiveCollection, Scene } from "cesium";
import type { CityModel, LatestReading, LiveReading, Sensor } from "@citytwin/model";
import { Cesium } from "../cesium-global";
import { toCartesian } from "../scene/geo";
import { lookFor, NO_DATA_LOOK, OFFLINE_LOOK, type SensorLook } from "./sensor-colors";
import type { SensorState } from "./sensor-state";
import { GatewayMap } from "./gateway-map";
import { ReadingQueue } from "./reading-queue";
import { StaleTracker } from "./stale";
import { SensorVisibility } from "./visibility";

export type AppliedListener = (changed: ReadonlySet<string>) => void;
type States = (SensorState | undefined)[];

export class SensorLayer {
  readonly points: PointPrimitiveCollection;
  private readonly scene: Scene;
  /** Sensors in point order (index i ↔ `points.get(i)`); states and flags are per index. */
  private readonly ordered: Sensor[] = [];
  private readonly index = new Map<string, number>();
  private readonly live: States = [];
  /** The snapshot drawn while replaying; undefined in live mode. */
  private replay: States | undefined;
  private readonly gateways: GatewayMap;
  private readonly stale: StaleTracker;
  private readonly visibility: SensorVisibility;
  private readonly queued: ReadingQueue;
  private frameRequested = false;
  private listeners: AppliedListener[] = [];

  constructor(scene: Scene, city: CityModel) {
    this.scene = scene;
    this.points = new Cesium.PointPrimitiveCollection({ blendOption: Cesium.BlendOption.OPAQUE });
    const outline = Cesium.Color.fromCssColorString("#05080f");
    const scale = new Cesium.NearFarScalar(150, 1.3, 6000, 0.6);
    for (const sensor of city.sensors) {
      if (this.index.has(sensor.id)) continue;
      this.index.set(sensor.id, this.points.length);
      this.ordered.push(sensor);
      this.points.add({
        id: sensor.id,
        position: toCartesian(sensor.position),
        color: NO_DATA_LOOK.color,
        pixelSize: NO_DATA_LOOK.pixelSize,
        outlineColor: outline,
        outlineWidth: 1,
        scaleByDistance: scale,
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
      });
    }
    const n = this.ordered.length;
    this.live.length = n;
    this.gateways = new GatewayMap(city, this.ordered);
    this.stale = new StaleTracker(city, this.ordered);
    this.visibility = new SensorVisibility(this.points, {
      levelAt: (i) => this.stateAt(i)?.level,
      offlineAt: (i) => this.gateways.isOffline(i),
    });
    this.queued = new ReadingQueue(n);
    scene.primitives.add(this.points);
  }

  /** Called after each applied batch with the ids whose drawn state changed. */
  onApplied(listener: AppliedListener): void {
    this.listeners.push(listener);
  }

  /** Queues live readings; the newest per sensor wins. Unknown sensor ids are ignored. */
  enqueue(readings: readonly LiveReading[]): void {
    for (const r of readings) this.queue(r);
    this.schedule();
  }

  /** Queues HTTP `/api/latest` readings (same effect as live ones). */
  enqueueLatest(readings: readonly LatestReading[]): void {
    for (const r of readings) this.queue([r.sensorId, r.ts, r.value, r.quality, r.level]);
    this.schedule();
  }

  /** A gateway went offline or online: its sensors turn grey, or back to their last state. */
  setGatewayState(gatewayId: string, state: "online" | "offline"): void {
    const changed = this.gateways.set(gatewayId, state);
    if (changed.length === 0) return;
    for (const i of changed) this.restyle(i);
    this.scene.requestRender();
    this.emit(new Set(changed.map((i) => this.ordered[i]!.id)));
  }

  get count(): number {
    return this.points.length;
  }

  /** The sensor at point index i (0 ≤ i < count). */
  sensorAt(i: number): Sensor {
    return this.ordered[i]!;
  }

  /** The drawn state at point index i (the replay snapshot's while replaying). */
  stateAt(i: number): SensorState | undefined {
    return (this.replay ?? this.live)[i];
  }

  /** A layer filter (domain, district, street) hides point index i. */
  filteredAt(i: number): boolean {
    return this.visibility.filteredAt(i);
  }

  sensor(id: string): Sensor | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.ordered[i];
  }

  state(id: string): SensorState | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.stateAt(i);
  }

  isOffline(id: string): boolean {
    const i = this.index.get(id);
    return i !== undefined && this.gateways.isOffline(i);
  }

  /** Drawn dimmed because its newest reading is older than 3× its device's interval. */
  isStale(id: string): boolean {
    const i = this.index.get(id);
    return i !== undefined && this.stale.isStale(i);
  }

  /** The drawn point of a sensor (the Cesium primitive itself, not a copy). */
  point(id: string): PointPrimitive | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.points.get(i);
  }

  /** Draws a replay snapshot (sensors absent from it show "no data"); live readings keep buffering. */
  showSnapshot(readings: readonly LiveReading[], at: number): void {
    const snapshot: States = new Array<SensorState | undefined>(this.ordered.length);
    for (const r of readings) {
      const i = this.index.get(r[0]);
      if (i !== undefined) snapshot[i] = { ts: r[1], value: r[2], quality: r[3], level: r[4] };
    }
    this.replay = snapshot;
    this.stale.sweep(at, (i) => snapshot[i], noop);
    this.restyleAll();
  }

  /** Back to the live states, including everything that arrived while replaying. */
  showLive(now: number): void {
    if (this.replay === undefined) return;
    this.replay = undefined;
    this.flush();
    this.stale.sweep(now, (i) => this.live[i], noop);
    this.restyleAll();
  }

  /** Re-evaluates staleness against `now` (ms, server clock); restyles only what flipped. */
  sweepStale(now: number): void {
    const drawn = this.replay ?? this.live;
    let changed: Set<string> | undefined;
    this.stale.sweep(
      now,
      (i) => drawn[i],
      (i) => {
        this.restyle(i);
        (changed ??= new Set()).add(this.ordered[i]!.id);
      },
    );
    if (changed === undefined) return;
    this.scene.requestRender();
    this.emit(changed);
  }

  /** Hides the sensors `hide` selects (one pass, one render); returns how many are filtered out. */
  setHidden(hide: (sensor: Sensor) => boolean): number {
    const hidden = this.visibility.filter((i) => hide(this.ordered[i]!));
    this.scene.requestRender();
    return hidden;
  }

  /** Clustered (zoomed out): only sensors in alarm (orange/red) keep their own point. */
  setClustered(on: boolean): void {
    if (this.visibility.setClustered(on)) this.scene.requestRender();
  }

  /** Points drawn now (not filtered, not folded into a cluster). */
  visibleCount(): number {
    return this.visibility.count();
  }

  /** Applies everything queued now (normally run by the animation-frame scheduler). */
  flush(): void {
    this.frameRequested = false;
    if (this.queued.size === 0) return;
    const changed = new Set<string>();
    const drawn = this.replay === undefined;
    this.queued.drain((i, r) => {
      const prev = this.live[i];
      if (prev !== undefined && prev.ts > r[1]) return;
      if (prev === undefined) this.live[i] = { ts: r[1], value: r[2], quality: r[3], level: r[4] };
      else {
        prev.ts = r[1];
        prev.value = r[2];
        prev.quality = r[3];
        prev.level = r[4];
      }
      if (!drawn) return;
      this.stale.fresh(i, r[1]);
      this.restyle(i);
      changed.add(r[0]);
    });
    if (changed.size > 0) {
      this.scene.requestRender();
      this.emit(changed);
    }
  }

  private queue(r: LiveReading): void {
    const i = this.index.get(r[0]);
    if (i !== undefined) this.queued.add(i, r);
  }

  private lookOf(i: number): SensorLook {
    if (this.gateways.isOffline(i)) return OFFLINE_LOOK;
    const s = this.stateAt(i);
    if (s === undefined) return NO_DATA_LOOK;
    return lookFor(s.level, this.stale.isStale(i) ? "stale" : s.quality, s.value);
  }

  private restyle(i: number): void {
    const p = this.points.get(i);
    const look = this.lookOf(i);
    p.color = look.color;
    p.pixelSize = look.pixelSize;
    this.visibility.refresh(i);
  }

  private restyleAll(): void {
    for (let i = 0; i < this.ordered.length; i++) this.restyle(i);
    this.scene.requestRender();
    this.emit(new Set(this.index.keys()));
  }

  private schedule(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.flush());
  }

  private emit(changed: ReadonlySet<string>): void {
    for (const l of this.listeners) l(changed);
  }
}

function noop(): void {
  // staleness judged without restyling: the caller restyles everything next
}
