/**
 * The composite rules' scope resolution (model/src/detect/neighbours.ts) answers from spatial
 * grids; this checks it against a brute-force scan of every asset and pipe on a generated
 * city, for every anchor and a spread of radius and network scopes.
 */
import { describe, expect, it } from "vitest";
import { CityGeometry, DEFAULT_COMPOSITE_RULES, ruleScopeSchema, type RuleScope } from "@citytwin/model";
import type { Asset, CityModel } from "@citytwin/model";
import { generateCity } from "../src/city";

type XY = readonly [number, number];

function segmentDistance(p: XY, a: XY, b: XY): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/** Every asset and every pipe looked at, for every query: slow and obviously right. */
function bruteForce(city: CityModel, geo: CityGeometry, anchor: Asset, scope: RuleScope): string[] {
  if (scope.on === "anchor") return [anchor.id];
  const xy = (a: Asset) => geo.proj.toXY(a.position);
  const paths = city.pipes.map((p) => p.path.map((v) => geo.proj.toXY(v)));
  const pipeDist = (i: number, p: XY) =>
    Math.min(...paths[i]!.slice(1).map((b, k) => segmentDistance(p, paths[i]![k]!, b)));
  let onNetwork = (_a: Asset) => true;
  if (scope.on === "network") {
    const key = (p: XY) => `${Math.round(p[0])},${Math.round(p[1])}`;
    const ends = paths.map((p) => [key(p[0]!), key(p[p.length - 1]!)]);
    const inNet = (i: number) => city.pipes[i]!.network === scope.network;
    const at = xy(anchor);
    let set = new Set(
      city.pipes.flatMap((p, i) =>
        inNet(i) && (p.id === anchor.ref || pipeDist(i, at) <= scope.toleranceM) ? [i] : [],
      ),
    );
    for (let h = 0; h < scope.hops; h++) {
      const grown = new Set(set);
      for (const i of set)
        city.pipes.forEach((_, j) => {
          if (inNet(j) && ends[j]!.some((e) => ends[i]!.includes(e))) grown.add(j);
        });
      set = grown;
    }
    onNetwork = (a) =>
      [...set].some((i) => city.pipes[i]!.id === a.ref || pipeDist(i, xy(a)) <= scope.toleranceM);
  }
  const radius = scope.radiusM ?? Infinity;
  const types = scope.assetTypes;
  return city.assets
    .map((a, i) => ({ a, i, d: Math.hypot(xy(a)[0] - xy(anchor)[0], xy(a)[1] - xy(anchor)[1]) }))
    .filter(
      ({ a, d }) =>
        a.id !== anchor.id && (types === undefined || types.includes(a.type)) && d <= radius && onNetwork(a),
    )
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .map(({ a }) => a.id);
}

describe("composite scope resolution from spatial grids", () => {
  const city = generateCity({ seed: 42, scale: 1 });
  const geo = new CityGeometry(city);
  const scopes: RuleScope[] = [
    ...DEFAULT_COMPOSITE_RULES.flatMap((r) => r.terms.flatMap((t) => ("scope" in t ? [t.scope] : []))),
    ...[30, 250, 1200].map((radiusM) => ({ on: "radius", radiusM }) as const),
    ...(["gas", "water", "drainage"] as const).flatMap((network) =>
      [0, 2].map((hops) => ({ on: "network", network, hops, toleranceM: 20 }) as const),
    ),
  ].map((s) => ruleScopeSchema.parse(s));

  it("matches a brute-force scan for every anchor and scope", () => {
    const anchors = city.assets.filter((_, i) => i % 7 === 0);
    let compared = 0;
    let nonEmpty = 0;
    for (const scope of scopes)
      for (const anchor of anchors) {
        const got = geo.assetsInScope(anchor, scope).map((a) => a.id);
        expect(got, `${anchor.id} ${JSON.stringify(scope)}`).toEqual(bruteForce(city, geo, anchor, scope));
        compared++;
        if (got.length > 1) nonEmpty++;
      }
    // The comparison means something only if scopes reach several assets.
    expect(compared).toBeGreaterThan(500);
    expect(nonEmpty).toBeGreaterThan(compared / 4);
  });
});
