/**
 * Maps a validation issue path (e.g. ["devices", 3, "port"]) to a line:col in the YAML
 * source, so a config error names the exact place a field engineer has to edit.
 */
import { isMap, isScalar, isSeq, visit, type Document, type LineCounter, type Node } from "yaml";

export type IssuePath = readonly PropertyKey[];

export interface SourcePos {
  line: number;
  col: number;
}

/** `devices[3].port`; `(root)` for the empty path. */
export function dottedPath(path: IssuePath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out === "" ? "(root)" : out;
}

/**
 * Position of the deepest node along `path` that exists in the document. For a key that
 * exists, points at the value; when `atKey` is set, points at the key itself (used for
 * unrecognised keys). Missing keys resolve to their parent collection.
 */
export function locate(
  doc: Document,
  lc: LineCounter,
  path: IssuePath,
  atKey = false,
): SourcePos | undefined {
  let node: unknown = doc.contents;
  let pos = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) break;
      if (last && atKey) {
        pos = rangeStart(pair.key) ?? pos;
        break;
      }
      node = pair.value;
      pos = rangeStart(node) ?? rangeStart(pair.key) ?? pos;
    } else if (isSeq(node) && typeof seg === "number") {
      const item: unknown = node.items[seg];
      if (item === undefined) break;
      node = item;
      pos = rangeStart(node) ?? pos;
    } else {
      break;
    }
  }
  return pos === undefined ? undefined : lc.linePos(pos);
}

function rangeStart(node: unknown): number | undefined {
  const n = node as Node | null | undefined;
  return n?.range?.[0];
}

/** `file: path (line L:C): message`. */
export function formatIssue(
  file: string,
  doc: Document,
  lc: LineCounter,
  path: IssuePath,
  message: string,
  atKey = false,
): string {
  // An empty document (or one of only comments) has no node to point at: line 1.
  const pos = locate(doc, lc, path, atKey) ?? { line: 1, col: 1 };
  const where = ` (line ${pos.line}:${pos.col})`;
  return `${file}: ${dottedPath(path)}${where}: ${message}`;
}

/**
 * `doc.toJS()` without exceptions. `yaml` throws a ReferenceError from toJS (not a parse
 * error in `doc.errors`) for an alias to an anchor not yet set (`a: *b`) and for an alias
 * bomb (more expansions than `maxAliasCount`); the result names the offending alias.
 */
export function yamlToJs(
  doc: Document,
  lc: LineCounter,
): { ok: true; value: unknown } | { ok: false; message: string; pos: SourcePos | undefined } {
  try {
    return { ok: true, value: doc.toJS() };
  } catch (err) {
    let first: number | undefined;
    let unresolved: number | undefined;
    visit(doc, {
      Alias(_key, node) {
        first ??= node.range?.[0];
        if (node.resolve(doc) !== undefined) return undefined;
        unresolved = node.range?.[0];
        return visit.BREAK;
      },
    });
    const at = unresolved ?? first;
    const message = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
    return { ok: false, message, pos: at === undefined ? undefined : lc.linePos(at) };
  }
}
