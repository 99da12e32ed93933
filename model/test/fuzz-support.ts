/**
 * Shared fast-check helpers for the fuzz tests (issue 6, "Bad input"): run parameters, and
 * YAML-ish text generators for the config-loader properties (gateway and edge).
 * FUZZ_SEED=<seed> replays a failure (fast-check prints the seed); FUZZ_SCALE multiplies
 * every run count (e.g. FUZZ_SCALE=10 for a long local run).
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { CityTwinError } from "../src";

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

export function fuzzParams(numRuns: number): fc.Parameters<unknown> {
  return {
    numRuns: Math.max(1, Math.round(numRuns * SCALE)),
    ...(SEED === undefined ? {} : { seed: SEED }),
  };
}

/** YAML syntax that trips parsers: aliases, anchors, tags, flow, indentation, odd scalars. */
const YAML_TOKENS = [
  "*a",
  "&a x",
  "&a",
  "<<: *a",
  "!!binary",
  "!!int",
  "!!str",
  "!!map",
  "!!seq",
  "!!set",
  "!!omap",
  "!!timestamp 2001-12-14",
  "!foo",
  "? ",
  ": ",
  "- ",
  "\t",
  "{",
  "}",
  "[",
  "]",
  ",",
  "#",
  "'",
  '"',
  "|",
  ">",
  "---",
  "...",
  "%YAML 1.2\n---\n",
  "~",
  ".inf",
  "-.inf",
  ".nan",
  "1e999",
  "0x1F",
  "0o17",
  "9999999999999999999999",
  "-1",
  "__proto__",
  "constructor",
  "\0",
  "\u0007",
  "\u2028",
  "\uFEFF",
  "null",
  "true",
  "[*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "\n",
  "\n  ",
  "+",
  "/",
  "ct/v1/+/#",
];

/** Valid text with up to 6 splices of YAML tokens or random strings (insert, replace, delete). */
export function mutatedText(base: string): fc.Arbitrary<string> {
  return fc
    .array(
      fc.tuple(
        fc.nat(),
        fc.oneof(fc.constantFrom(...YAML_TOKENS), fc.string({ maxLength: 8 }), fc.constant("")),
        fc.nat(6),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((ops) => {
      let t = base;
      for (const [pos, ins, del] of ops) {
        const p = pos % (t.length + 1);
        t = t.slice(0, p) + ins + t.slice(p + del);
      }
      return t;
    });
}

type Path = (string | number)[];

function paths(v: unknown, pre: Path = [], out: Path[] = []): Path[] {
  out.push(pre);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...pre, i], out));
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) paths(x, [...pre, k], out);
  return out;
}

/** Values no config field should take quietly. */
const HOSTILE = fc.constantFrom<unknown>(
  Infinity,
  -Infinity,
  NaN,
  -0,
  1e308,
  2 ** 60,
  -1,
  0.5,
  "",
  "\0",
  "+",
  "#",
  "a/b",
  "x".repeat(5000),
  [],
  {},
  null,
);

/**
 * The valid config parsed, with up to 4 values (or whole subtrees) replaced by arbitrary or
 * hostile values or deleted, serialised back to YAML.
 */
export function mutatedConfig(base: string): fc.Arbitrary<string> {
  const obj: unknown = parse(base);
  const all = paths(obj).filter((p) => p.length > 0);
  return fc
    .array(
      fc.tuple(
        fc.nat(all.length - 1),
        fc.oneof(HOSTILE, fc.anything({ maxDepth: 2 }), fc.constant(undefined)),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((ops) => {
      const root = structuredClone(obj) as Record<string | number, unknown>;
      for (const [i, value] of ops) {
        const path = all[i] ?? [];
        let o: unknown = root;
        for (const k of path.slice(0, -1)) o = (o as Record<string | number, unknown> | null)?.[k];
        if (o === null || typeof o !== "object") continue;
        const last = path[path.length - 1] as string | number;
        if (value === undefined) delete (o as Record<string | number, unknown>)[last];
        else (o as Record<string | number, unknown>)[last] = value;
      }
      try {
        return String(stringify(root) ?? "");
      } catch {
        return base;
      }
    });
}

/**
 * The loader property: a valid config, or a CityTwinError("CONFIG_INVALID") that names the
 * file and a line (`(line L:C)`); never any other exception.
 */
export function expectConfigVerdict(file: string, load: () => unknown): "valid" | "invalid" {
  try {
    load();
    return "valid";
  } catch (err) {
    if (!(err instanceof CityTwinError)) throw err;
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/\(line \d+:\d+\)/);
    return "invalid";
  }
}

/** Run counts of the three config-loader properties (see fuzzConfigLoader). */
export interface ConfigFuzzRuns {
  text: number;
  splices: number;
  mutations: number;
}

/**
 * The config-loader properties shared by the gateway and the edge, registered in the calling
 * describe block: the base config is valid, and arbitrary text, YAML-syntax splices of it and
 * mutated values of it each give a valid config or a CityTwinError naming file, path and line.
 */
export function fuzzConfigLoader(
  file: string,
  load: (text: string) => () => unknown,
  valid: string,
  runs: ConfigFuzzRuns,
): void {
  // `yaml` warns on process for collection keys (`{a: 1}: x`); not an error, just noise here.
  beforeAll(() => {
    vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
  it("the base config is valid", () => {
    expect(expectConfigVerdict(file, load(valid))).toBe("valid");
  });
  const property = (name: string, arb: fc.Arbitrary<string>, numRuns: number) =>
    it(name, () => {
      fc.assert(
        fc.property(arb, (t) => {
          expectConfigVerdict(file, load(t));
        }),
        fuzzParams(numRuns),
      );
    });
  property("arbitrary text", fc.string({ maxLength: 200, unit: "binary" }), runs.text);
  property("valid config with YAML-syntax splices", mutatedText(valid), runs.splices);
  property("valid config with mutated values", mutatedConfig(valid), runs.mutations);
}
