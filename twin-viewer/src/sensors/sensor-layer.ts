/**
 * Every sensor as one point in a single `PointPrimitiveCollection` (the Entity API costs ~50× more
 * per recolour). Readings are queued with `enqueue` and applied at most once per animation frame,
 * followed by one `scene.requestRender()`; a burst of frames costs one render.
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

export type AppliedListener = (changed: ReadonlySet<string>) => void;

export class SensorLayer {
  readonly points: PointPrimitiveCollection;
  private readonly scene: Scene;
  private readonly sensors = new Map<string, Sensor>();
  private readonly index = new Map<string, number>();
  private readonly latest = new Map<string, SensorState>();
  private readonly sensorsByGateway = new Map<string, string[]>();
  private readonly offlineGateways = new Set<string>();
  private readonly gatewayOfSensor = new Map<string, string>();
  private pending = new Map<string, LiveReading>();
  private frameRequested = false;
  private listeners: AppliedListener[] = [];

  constructor(scene: Scene, city: CityModel) {
    this.scene = scene;
    this.points = new Cesium.PointPrimitiveCollection({ blendOption: Cesium.BlendOption.OPAQUE });
    const deviceGateway = new Map(city.devices.map((d) => [d.id, d.gatewayId]));
    const outline = Cesium.Color.fromCssColorString("#05080f");
    const scale = new Cesium.NearFarScalar(150, 1.3, 6000, 0.6);
    for (const sensor of city.sensors) {
      if (this.index.has(sensor.id)) continue;
      this.sensors.set(sensor.id, sensor);
      this.index.set(sensor.id, this.points.length);
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
      const gw = deviceGateway.get(sensor.deviceId);
      if (gw !== undefined) {
        this.gatewayOfSensor.set(sensor.id, gw);
        const list = this.sensorsByGateway.get(gw) ?? [];
        list.push(sensor.id);
        this.sensorsByGateway.set(gw, list);
      }
    }
    scene.primitives.add(this.points);
  }

  /** Called after each applied batch with the ids whose state changed. */
  onApplied(listener: AppliedListener): void {
    this.listeners.push(listener);
  }

  /** Queues live readings; the newest per sensor wins. Unknown sensor ids are ignored. */
  enqueue(readings: readonly LiveReading[]): void {
    for (const r of readings) this.pending.set(r[0], r);
    this.schedule();
  }

  /** Queues HTTP `/api/latest` readings (same effect as live ones). */
  enqueueLatest(readings: readonly LatestReading[]): void {
    for (const r of readings) this.pending.set(r.sensorId, [r.sensorId, r.ts, r.value, r.quality, r.level]);
    this.schedule();
  }

  /** A gateway went offline or online: its sensors turn grey, or back to their last state. */
  setGatewayState(gatewayId: string, state: "online" | "offline"): void {
    const had = this.offlineGateways.has(gatewayId);
    if (state === "offline") this.offlineGateways.add(gatewayId);
    else this.offlineGateways.delete(gatewayId);
    if (had === (state === "offline")) return;
    const changed = new Set<string>();
    for (const id of this.sensorsByGateway.get(gatewayId) ?? []) {
      this.restyle(id);
      changed.add(id);
    }
    this.scene.requestRender();
    this.emit(changed);
  }

  get count(): number {
    return this.points.length;
  }

  sensor(id: string): Sensor | undefined {
    return this.sensors.get(id);
  }

  state(id: string): SensorState | undefined {
    return this.latest.get(id);
  }

  isOffline(id: string): boolean {
    const gw = this.gatewayOfSensor.get(id);
    return gw !== undefined && this.offlineGateways.has(gw);
  }

  /** The drawn point of a sensor (the Cesium primitive itself, not a copy). */
  point(id: string): PointPrimitive | undefined {
    const i = this.index.get(id);
    return i === undefined ? undefined : this.points.get(i);
  }

  /** Applies everything queued now (normally run by the animation-frame scheduler). */
  flush(): void {
    this.frameRequested = false;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const changed = new Set<string>();
    for (const [id, r] of batch) {
      if (!this.index.has(id)) continue;
      const prev = this.latest.get(id);
      if (prev !== undefined && prev.ts > r[1]) continue;
      if (prev === undefined) this.latest.set(id, { ts: r[1], value: r[2], quality: r[3], level: r[4] });
      else {
        prev.ts = r[1];
        prev.value = r[2];
        prev.quality = r[3];
        prev.level = r[4];
      }
      this.restyle(id);
      changed.add(id);
    }
    if (changed.size > 0) {
      this.scene.requestRender();
      this.emit(changed);
    }
  }

  private lookOf(id: string): SensorLook {
    if (this.isOffline(id)) return OFFLINE_LOOK;
    const s = this.latest.get(id);
    return s === undefined ? NO_DATA_LOOK : lookFor(s.level, s.quality, s.value);
  }

  private restyle(id: string): void {
    const p = this.point(id);
    if (p === undefined) return;
    const look = this.lookOf(id);
    p.color = look.color;
    p.pixelSize = look.pixelSize;
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
