/**
 * Composite rules as data: a rule is anchored on an asset type and holds when every term
 * held at some reading within the last `windowMs`. A sensor term picks sensors of one kind
 * in a scope around the anchor and tests a predicate on them (any of a list); a flag term
 * tests an external flag (e.g. `heavy_rain`, set by a weather feed or an operator).
 *
 * Scopes: `anchor` (the anchor asset's own sensors); `radius` (other assets within radiusM);
 * `network` (other assets on the pipes of `network` that pass within toleranceM of the
 * anchor, plus pipes up to `hops` junctions away; optionally within radiusM too).
 *
 * Predicates (units: the sensor kind's; rates per minute):
 *   level        the sensor's level (a detector's, or the highest value detector's) ≥ atLeast
 *   rate         rate of change ≥ atLeast and/or ≤ atMost
 *   drop / rise  value ≥ percent % below / above its reference (seasonal expected value
 *                when warm, else the adaptive baseline's mean; false while neither is warm)
 *   fluctuation  mean |change| between successive readings ≥ atLeast ("variance high")
 *   value        value ≥ atLeast and/or ≤ atMost
 *
 * Explanations are templates in en and zh: {asset} (the anchor's name in that language),
 * {assetId}, {sensors} (the evidence sensors' keys).
 */
import { parseDocument, LineCounter } from "yaml";
import { z } from "zod";
import { networkSchema } from "../city";
import { assetTypeSchema } from "../domains";
import { CityTwinError } from "../errors";
import { LEVELS } from "../levels";
import { formatIssue } from "../config/yaml-location";

const warningLevelSchema = z.enum(
  LEVELS.filter((l) => l !== "normal") as ["blue", "yellow", "orange", "red"],
);
const bounds = {
  atLeast: z.number().optional(),
  atMost: z.number().optional(),
};

export const rulePredicateSchema = z.discriminatedUnion("test", [
  z
    .object({
      test: z.literal("level"),
      atLeast: warningLevelSchema,
      detector: z.enum(["any", "threshold", "rate", "baseline", "seasonal"]).default("any"),
    })
    .strict(),
  z.object({ test: z.literal("rate"), ...bounds }).strict(),
  z.object({ test: z.literal("drop"), percent: z.number().positive().max(100) }).strict(),
  z.object({ test: z.literal("rise"), percent: z.number().positive() }).strict(),
  z.object({ test: z.literal("fluctuation"), atLeast: z.number().positive() }).strict(),
  z.object({ test: z.literal("value"), ...bounds }).strict(),
]);
export type RulePredicate = z.infer<typeof rulePredicateSchema>;

export const ruleScopeSchema = z.discriminatedUnion("on", [
  z.object({ on: z.literal("anchor") }).strict(),
  z
    .object({
      on: z.literal("radius"),
      radiusM: z.number().positive().max(5000),
      assetTypes: z.array(assetTypeSchema).min(1).optional(),
    })
    .strict(),
  z
    .object({
      on: z.literal("network"),
      network: networkSchema,
      hops: z.number().int().min(0).max(3).default(1),
      toleranceM: z.number().positive().max(50).default(5),
      radiusM: z.number().positive().max(5000).optional(),
      assetTypes: z.array(assetTypeSchema).min(1).optional(),
    })
    .strict(),
]);
export type RuleScope = z.infer<typeof ruleScopeSchema>;

export const sensorTermSchema = z
  .object({
    kind: z.string().min(1),
    scope: ruleScopeSchema,
    /** One predicate, or a list of which any one suffices. */
    where: z.union([rulePredicateSchema, z.array(rulePredicateSchema).min(1)]),
    /** Distinct sensors that must hold within the window (default 1). */
    atLeastSensors: z.number().int().positive().max(16).default(1),
    /** Nearest sensors considered (default 8): bounds the work per reading. */
    maxSensors: z.number().int().positive().max(32).default(8),
  })
  .strict()
  .superRefine((t, ctx) => {
    const preds = Array.isArray(t.where) ? t.where : [t.where];
    preds.forEach((p, i) => {
      if ((p.test === "rate" || p.test === "value") && p.atLeast === undefined && p.atMost === undefined)
        ctx.addIssue({ code: "custom", path: ["where", i], message: `${p.test} needs atLeast or atMost` });
    });
    if (t.atLeastSensors > t.maxSensors)
      ctx.addIssue({ code: "custom", path: ["atLeastSensors"], message: "exceeds maxSensors" });
  });
export type SensorTerm = z.infer<typeof sensorTermSchema>;

export const flagTermSchema = z.object({ flag: z.string().regex(/^[a-z][a-z0-9_]*$/) }).strict();
export type FlagTerm = z.infer<typeof flagTermSchema>;

export const compositeRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]{0,47}$/, "lower-case letters, digits and _"),
    /** The incident type this rule recognises (for scoring and dispatch), e.g. gas_leak. */
    category: z.string().min(1).optional(),
    anchor: z.array(assetTypeSchema).min(1),
    level: warningLevelSchema,
    windowMs: z.number().int().positive().max(3_600_000),
    terms: z.array(z.union([sensorTermSchema, flagTermSchema])).min(1),
    explanation: z.object({ en: z.string().min(1), zh: z.string().min(1) }).strict(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (!r.terms.some((t) => "kind" in t))
      ctx.addIssue({ code: "custom", path: ["terms"], message: "needs at least one sensor term" });
  });
export type CompositeRule = z.infer<typeof compositeRuleSchema>;
export type CompositeRuleInput = z.input<typeof compositeRuleSchema>;

export const compositeRulesFileSchema = z
  .object({ version: z.literal(1), rules: z.array(compositeRuleSchema) })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.rules.forEach((r, i) => {
      if (seen.has(r.id))
        ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicate rule id ${r.id}` });
      seen.add(r.id);
    });
  });

/**
 * Parses a rules file (`version: 1`, `rules: [...]`) from YAML or JSON text. Errors are
 * CityTwinError DETECT_BAD_RULES naming the file, path and line.
 */
export function parseCompositeRules(text: string, file = "rules.yaml"): CompositeRule[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const pos = lc.linePos(syntax.pos[0]);
    throw new CityTwinError(
      "DETECT_BAD_RULES",
      `${file}: (line ${pos.line}:${pos.col}): YAML syntax error: ${syntax.message.split("\n")[0] ?? ""}`,
      { cause: syntax },
    );
  }
  const parsed = compositeRulesFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // An unknown field points at the field itself, not at the object holding it.
    const extra = issue?.code === "unrecognized_keys" ? issue.keys[0] : undefined;
    const path = [...(issue?.path ?? []), ...(extra === undefined ? [] : [extra])];
    throw new CityTwinError(
      "DETECT_BAD_RULES",
      formatIssue(file, doc, lc, path, issue?.message ?? "invalid", extra !== undefined),
      { cause: parsed.error },
    );
  }
  return parsed.data.rules;
}
