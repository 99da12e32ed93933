/**
 * YAML + zod validation with errors that name the file, the path and the line, so a field
 * engineer can jump straight to the mistake.
 */
import { LineCounter, isNode, parseDocument } from "yaml";
import type { z } from "zod";
import { CityTwinError } from "@citytwin/model";

export interface YamlSource {
  file: string;
  /** 1-based line of the node at `path` (or its nearest existing parent); undefined when unknown. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** Parses YAML text and validates it; throws CityTwinError(code) naming file, path and line. */
export function parseYaml<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  code: string,
): { value: z.infer<S>; source: YamlSource } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new CityTwinError(code, `${file}:${line}: YAML syntax error: ${first.message}`, {
      cause: first,
    });
  }
  const source: YamlSource = {
    file,
    lineOf(path) {
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    throw new CityTwinError(code, describe(source, path, issue?.message ?? "invalid"), {
      cause: parsed.error,
    });
  }
  return { value: parsed.data, source };
}

/** "file:line: at a.b[2].c: message". */
export function describe(source: YamlSource, path: readonly PropertyKey[], message: string): string {
  const line = source.lineOf(path);
  const where =
    path.length === 0
      ? "(root)"
      : path
          .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
          .join("")
          .replace(/^\./, "");
  return `${source.file}${line === undefined ? "" : `:${line}`}: at ${where}: ${message}`;
}
