import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { RuleScope } from "../src/detect";
import { CityGeometry, DEFAULT_COMPOSITE_RULES, parseCompositeRules, ruleScopeSchema } from "../src/detect";
import { miniCity } from "./detect-fixtures";

describe("composite rules as data", () => {
  it("the defaults cover the four lifeline incidents and survive a YAML round trip", () => {
    const categories = new Set(DEFAULT_COMPOSITE_RULES.map((r) => r.category));
    expect([...categories].sort()).toEqual(["bridge_overload", "gas_leak", "pipe_burst", "waterlogging"]);
    const yaml = stringify({ version: 1, rules: DEFAULT_COMPOSITE_RULES });
    expect(parseCompositeRules(yaml, "defaults.yaml")).toEqual(DEFAULT_COMPOSITE_RULES);
  });

  it("parses a hand-written YAML rule and fills defaults", () => {
    const [rule] = parseCompositeRules(
      [
        "version: 1",
        "rules:",
        "  - id: ch4_and_drop",
        "    anchor: [MH]",
        "    level: orange",
        "    windowMs: 30000",
        "    terms:",
        "      - kind: ch4",
        "        scope: { on: anchor }",
        "        where: { test: level, atLeast: yellow }",
        "      - kind: gas_pressure",
        "        scope: { on: network, network: gas }",
        "        where: [{ test: drop, percent: 10 }, { test: rate, atMost: -30 }]",
        "      - flag: heavy_rain",
        "    explanation: { en: 'Leak at {asset}', zh: '{asset}泄漏' }",
      ].join("\n"),
    );
    expect(rule?.terms[0]).toMatchObject({ atLeastSensors: 1, maxSensors: 8, where: { detector: "any" } });
    expect(rule?.terms[1]).toMatchObject({ scope: { hops: 1, toleranceM: 5 } });
    expect(rule?.terms[2]).toEqual({ flag: "heavy_rain" });
  });

  const base = (patch: string) =>
    [
      "version: 1",
      "rules:",
      "  - id: r1",
      "    anchor: [GVC]",
      "    level: red",
      "    windowMs: 1000",
      "    explanation: { en: e, zh: z }",
      patch,
    ].join("\n");
  const term = "    terms: [{ kind: ch4, scope: { on: anchor }, where: { test: level, atLeast: blue } }]";
  it.each([
    { name: "unknown anchor type", text: base(term).replace("[GVC]", "[XYZ]"), line: 4 },
    {
      name: "normal is not a warning level",
      text: base(term).replace("level: red", "level: normal"),
      line: 5,
    },
    {
      name: "rate without bounds",
      text: base(term.replace("{ test: level, atLeast: blue }", "{ test: rate }")),
      line: 8,
    },
    {
      name: "unknown predicate",
      text: base(term.replace("test: level, atLeast: blue", "test: median")),
      line: 8,
    },
    { name: "flags only", text: base("    terms: [{ flag: rain }]"), line: 8 },
    { name: "unknown field", text: base(term) + "\n    colour: red", line: 9 },
    { name: "duplicate ids", text: base(term) + "\n" + base(term).split("\n").slice(2).join("\n"), line: 9 },
    { name: "YAML syntax error", text: base(term) + "\n  - id: [unclosed", line: 9 },
  ])("rejects $name, naming the file and line", ({ text, line }) => {
    expect(() => parseCompositeRules(text, "rules.yaml")).toThrowError(
      new RegExp(`rules\\.yaml: .*\\(line ${line}:`),
    );
  });
});

describe("rule scopes on the mini city", () => {
  const city = miniCity();
  const geo = new CityGeometry(city);
  const asset = (id: string) => {
    const a = city.assets.find((x) => x.id === id);
    if (a === undefined) throw new Error(id);
    return a;
  };
  const ids = (anchor: string, scope: unknown) =>
    geo.assetsInScope(asset(anchor), ruleScopeSchema.parse(scope) as RuleScope).map((a) => a.id.slice(7));

  it.each([
    { anchor: "340111-GVC-00001", scope: { on: "anchor" }, want: ["GVC-00001"] },
    {
      anchor: "340111-GVC-00001",
      scope: { on: "network", network: "gas", hops: 0, assetTypes: ["GPS"] },
      want: ["GPS-00001"],
    },
    {
      anchor: "340111-GVC-00001",
      scope: { on: "network", network: "gas", hops: 1, assetTypes: ["GPS"] },
      want: ["GPS-00001", "GPS-00002"],
    },
    {
      anchor: "340111-MH-00001",
      scope: { on: "network", network: "gas", hops: 0, assetTypes: ["GPS"] },
      want: ["GPS-00001"],
    },
    {
      anchor: "340111-MH-00001",
      scope: { on: "network", network: "gas", hops: 0, toleranceM: 1, assetTypes: ["GPS"] },
      want: [],
    },
    {
      anchor: "340111-MH-00002",
      scope: { on: "network", network: "gas", hops: 3, assetTypes: ["GPS"] },
      want: ["GPS-00003"],
    },
    { anchor: "340111-MH-00001", scope: { on: "network", network: "water", assetTypes: ["GPS"] }, want: [] },
    {
      anchor: "340111-GVC-00001",
      scope: { on: "radius", radiusM: 250, assetTypes: ["GPS"] },
      want: ["GPS-00001", "GPS-00002"],
    },
    {
      anchor: "340111-GVC-00001",
      scope: { on: "radius", radiusM: 60, assetTypes: ["GPS", "MH"] },
      want: ["GPS-00001", "MH-00001"],
    },
  ])("$anchor $scope.on → $want", ({ anchor, scope, want }) => {
    expect(ids(anchor, scope)).toEqual(want);
  });
});
