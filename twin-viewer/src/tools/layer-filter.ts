/**
 * What the layer toggles hide: whole domains (their sensors and static primitives), districts and
 * streets (their assets' sensors). `apply()` is one pass over the sensors and one render, so a
 * toggle stays cheap at 100k sensors.
 */
import { DOMAINS, type Domain } from "@citytwin/model";
import type { AppContext } from "../core/app-context";
import { setDomainFiltered } from "./domain-primitives";

/** A street is named within its district. */
export function streetKey(district: string, street: string): string {
  return `${district}/${street}`;
}

export class LayerFilter {
  readonly domains = new Set<Domain>();
  readonly districts = new Set<string>();
  readonly streets = new Set<string>();
  /** Sensors hidden by the last apply. */
  hiddenSensors = 0;
  private readonly listeners: (() => void)[] = [];

  constructor(private readonly ctx: AppContext) {}

  /** Called after every apply (clusters recount). */
  onApplied(listener: () => void): void {
    this.listeners.push(listener);
  }

  toggleDomain(domain: Domain): void {
    flip(this.domains, domain);
    this.apply();
  }

  toggleDistrict(district: string): void {
    flip(this.districts, district);
    this.apply();
  }

  toggleStreet(district: string, street: string): void {
    flip(this.streets, streetKey(district, street));
    this.apply();
  }

  /** Everything hidden, as `domain:gas`, `district:…`, `street:district/street` (sorted). */
  hidden(): string[] {
    return [
      ...[...this.domains].map((d) => `domain:${d}`),
      ...[...this.districts].map((d) => `district:${d}`),
      ...[...this.streets].map((s) => `street:${s}`),
    ].sort();
  }

  apply(): void {
    const { index, sensors, scene } = this.ctx;
    const byArea = this.districts.size + this.streets.size > 0;
    this.hiddenSensors = sensors.setHidden((sensor) => {
      if (this.domains.has(sensor.domain)) return true;
      if (!byArea) return false;
      const h = index.assets.get(sensor.assetId)?.hierarchy;
      if (h === undefined) return false;
      if (this.districts.has(h.district)) return true;
      return this.streets.size > 0 && this.streets.has(streetKey(h.district, h.street));
    });
    for (const d of DOMAINS) setDomainFiltered(d, this.domains.has(d));
    scene.requestRender();
    for (const l of this.listeners) l();
  }
}

function flip<T>(set: Set<T>, value: T): void {
  if (set.has(value)) set.delete(value);
  else set.add(value);
}
