/**
 * Which edge gateway each sensor (by point index) reports through, and which gateways are offline
 * now. Index-based: `isOffline(i)` is two array reads, cheap enough for every restyle.
 */
import type { CityModel, Sensor } from "@citytwin/model";

export class GatewayMap {
  private readonly gatewayIndex = new Map<string, number>();
  /** Gateway index per sensor index (−1: unknown device). */
  private readonly gatewayOf: Int32Array;
  private readonly sensorsOf: number[][] = [];
  private offline = new Uint8Array(0);

  constructor(city: CityModel, sensors: readonly Sensor[]) {
    const deviceGateway = new Map(city.devices.map((d) => [d.id, d.gatewayId]));
    this.gatewayOf = new Int32Array(sensors.length).fill(-1);
    sensors.forEach((sensor, i) => {
      const gw = deviceGateway.get(sensor.deviceId);
      if (gw === undefined) return;
      let g = this.gatewayIndex.get(gw);
      if (g === undefined) {
        g = this.sensorsOf.length;
        this.gatewayIndex.set(gw, g);
        this.sensorsOf.push([]);
      }
      this.gatewayOf[i] = g;
      this.sensorsOf[g]!.push(i);
    });
    this.offline = new Uint8Array(this.sensorsOf.length);
  }

  /** Records a gateway's state; returns its sensors' indices when the state changed (else none). */
  set(gatewayId: string, state: "online" | "offline"): readonly number[] {
    const g = this.gatewayIndex.get(gatewayId);
    if (g === undefined) return [];
    const next = state === "offline" ? 1 : 0;
    if (this.offline[g] === next) return [];
    this.offline[g] = next;
    return this.sensorsOf[g]!;
  }

  isOffline(i: number): boolean {
    const g = this.gatewayOf[i]!;
    return g >= 0 && this.offline[g] === 1;
  }
}
