/**
 * Static scene primitives that belong to one domain (a pipe network, bridges, poles), so the
 * domain layer toggle can hide them. A tagged primitive's `show` becomes "wanted && not filtered":
 * other switches (the underground toggle) keep setting `show` as before, and the domain filter
 * composes with them instead of being overwritten.
 */
import type { Primitive } from "cesium";
import type { Domain } from "@citytwin/model";

interface Tagged {
  domain: Domain;
  filtered: boolean;
  wanted: boolean;
}

const tags = new WeakMap<Primitive, Tagged>();
const tagged = new Set<Primitive>();

/** Marks `primitive` as part of `domain`'s layer (call once, when it is created). */
export function tagDomain(primitive: Primitive, domain: Domain): Primitive {
  const tag: Tagged = { domain, filtered: false, wanted: primitive.show };
  tags.set(primitive, tag);
  tagged.add(primitive);
  Object.defineProperty(primitive, "show", {
    configurable: true,
    get: () => tag.wanted && !tag.filtered,
    set: (on: boolean) => (tag.wanted = on),
  });
  return primitive;
}

/** Hides or shows every tagged primitive of `domain`; returns how many it touched. */
export function setDomainFiltered(domain: Domain, filtered: boolean): number {
  let n = 0;
  for (const p of tagged) {
    const tag = tags.get(p)!;
    if (p.isDestroyed() || tag.domain !== domain) continue;
    tag.filtered = filtered;
    n++;
  }
  return n;
}

/** The domain filter hides this primitive now. */
export function isDomainFiltered(primitive: Primitive): boolean {
  return tags.get(primitive)?.filtered ?? false;
}

/** Tagged primitives of a domain (for probes and tests). */
export function domainPrimitives(domain: Domain): Primitive[] {
  return [...tagged].filter((p) => !p.isDestroyed() && tags.get(p)!.domain === domain);
}
