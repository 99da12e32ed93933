/**
 * V8 CPU profiles (`node --cpu-prof` .cpuprofile JSON) → a standalone SVG flame graph and a
 * table of the hottest functions. Time is taken from timeDeltas (µs), timeDeltas[i] charged to
 * samples[i]; "(idle)" samples are left out of every total unless opts.includeIdle.
 *
 * CLI: tsx simulators/bench/profile/flame.ts <profile.cpuprofile> <out.svg> [--title T]
 * writes the SVG and prints the top-functions markdown table.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
export interface CpuProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
  hitCount?: number;
}
export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}
export interface FlameOptions {
  title: string;
  width?: number;
  minFrac?: number;
  includeIdle?: boolean;
}
export interface TopRow {
  name: string;
  file: string;
  selfMs: number;
  selfPct: number;
  totalMs: number;
  totalPct: number;
}
export type Category = "project" | "dependency" | "node" | "native" | "other";

const ROW = 16;
const CHAR_PX = 7;
const PAD = 10;
const HEADER = 56;
const PROJECT_DIRS = ["/gateway/", "/model/", "/edge/", "/simulators/"];

// ---- frames: names, files, categories ----

export const escapeXml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

const isIdle = (f: CallFrame) => f.functionName === "(idle)" && f.url === "";

/** "pkg/…/file.js" for node_modules paths (scoped packages keep their scope), else the basename. */
export function shortFile(url: string): string {
  if (url === "" || url.startsWith("node:")) return url;
  const path = url.replace(/^file:\/\//, "");
  const at = path.lastIndexOf("/node_modules/");
  if (at < 0) return basename(path);
  const parts = path.slice(at + "/node_modules/".length).split("/");
  const pkgLen = parts[0]?.startsWith("@") ? 2 : 1;
  const pkg = parts.slice(0, pkgLen).join("/");
  const rest = parts.slice(pkgLen);
  return rest.length <= 1 ? `${pkg}/${rest.join("")}` : `${pkg}/…/${rest[rest.length - 1]}`;
}

/** `functionName (file:line)`, line 1-based; native frames (empty url) are just their name. */
export function frameLabel(f: CallFrame, file = shortFile(f.url)): string {
  const name = f.functionName || "(anonymous)";
  return f.url === "" ? name : `${name} (${file}:${f.lineNumber + 1})`;
}

export function category(url: string): Category {
  if (url === "") return "native";
  if (url.startsWith("node:")) return "node";
  if (url.includes("/node_modules/")) return "dependency";
  if (PROJECT_DIRS.some((d) => url.includes(d))) return "project";
  return "other";
}

/** Deterministic per-name jitter so neighbouring boxes of one category stay distinguishable. */
function colour(cat: Category, name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const j = (h % 1000) / 1000;
  switch (cat) {
    case "project":
      return `hsl(${Math.round(5 + 25 * j)}, 85%, ${Math.round(55 + 10 * j)}%)`;
    case "dependency":
      return `hsl(${Math.round(48 + 10 * j)}, 90%, ${Math.round(55 + 10 * j)}%)`;
    case "node":
      return `hsl(${Math.round(95 + 30 * j)}, 55%, ${Math.round(50 + 12 * j)}%)`;
    case "native":
      return `hsl(0, 0%, ${Math.round(68 + 12 * j)}%)`;
    case "other":
      return `hsl(${Math.round(190 + 20 * j)}, 60%, ${Math.round(65 + 10 * j)}%)`;
  }
}

// ---- sample time ----

interface Indexed {
  byId: Map<number, CpuProfileNode>;
  parent: Map<number, number>;
  root: CpuProfileNode;
  selfUs: Map<number, number>;
}

function index(p: CpuProfile): Indexed {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const root = p.nodes.find((n) => !parent.has(n.id));
  if (root === undefined) throw new Error("cpuprofile has no root node");
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, p.timeDeltas[i] ?? 0)));
  return { byId, parent, root, selfUs };
}

function idleUs(ix: Indexed): number {
  let us = 0;
  for (const [id, t] of ix.selfUs) if (ix.byId.get(id) && isIdle(ix.byId.get(id)!.callFrame)) us += t;
  return us;
}

function sampledUs(ix: Indexed): number {
  let us = 0;
  for (const [id, t] of ix.selfUs) if (ix.byId.has(id)) us += t;
  return us;
}

/**
 * The profile with every sample taken under a frame matching `under` counted as idle (e.g. the
 * profiler's own work while it stops); unchanged when the profile has no "(idle)" node.
 */
export function idleUnder(profile: CpuProfile, under: (f: CallFrame) => boolean): CpuProfile {
  const ix = index(profile);
  const idle = profile.nodes.find((n) => isIdle(n.callFrame))?.id;
  if (idle === undefined) return profile;
  const inside = (id: number): boolean => {
    for (let x: number | undefined = id; x !== undefined; x = ix.parent.get(x)) {
      const f = ix.byId.get(x)?.callFrame;
      if (f !== undefined && under(f)) return true;
    }
    return false;
  };
  return { ...profile, samples: profile.samples.map((id) => (inside(id) ? idle : id)) };
}

// ---- top functions ----

const fnKey = (f: CallFrame) => `${f.functionName}\u0000${f.url}\u0000${f.lineNumber}`;

/**
 * Hottest functions by self time, merging identical functionName+url+lineNumber across the
 * tree. Inclusive time charges each sample once per distinct function on its stack, so
 * recursion is not double counted. Percentages are of the non-idle total; functions with no
 * self time (so "(root)") and "(idle)" are not listed.
 */
export function topFunctions(profile: CpuProfile, n = 15): TopRow[] {
  const ix = index(profile);
  const totalUs = sampledUs(ix) - idleUs(ix);
  const rows = new Map<string, { frame: CallFrame; selfUs: number; totalUs: number }>();
  const row = (f: CallFrame) => {
    const k = fnKey(f);
    let r = rows.get(k);
    if (r === undefined) rows.set(k, (r = { frame: f, selfUs: 0, totalUs: 0 }));
    return r;
  };
  for (const [id, us] of ix.selfUs) {
    const node = ix.byId.get(id);
    if (node === undefined || isIdle(node.callFrame) || us === 0) continue;
    row(node.callFrame).selfUs += us;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = ix.parent.get(cur)) {
      const f = ix.byId.get(cur)!.callFrame;
      if (seen.has(fnKey(f))) continue;
      seen.add(fnKey(f));
      row(f).totalUs += us;
    }
  }
  const pct = (us: number) => (totalUs > 0 ? (us * 100) / totalUs : 0);
  return [...rows.values()]
    .filter((r) => r.selfUs > 0 && !isIdle(r.frame))
    .sort((a, b) => b.selfUs - a.selfUs || b.totalUs - a.totalUs)
    .slice(0, n)
    .map((r) => ({
      name: r.frame.functionName || "(anonymous)",
      file: r.frame.url === "" ? "" : `${shortFile(r.frame.url)}:${r.frame.lineNumber + 1}`,
      selfMs: r.selfUs / 1000,
      selfPct: pct(r.selfUs),
      totalMs: r.totalUs / 1000,
      totalPct: pct(r.totalUs),
    }));
}

export function topFunctionsMarkdown(rows: TopRow[]): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const lines = [
    `| # | function | file | self ms | self % | total ms | total % |`,
    `|---:|---|---|---:|---:|---:|---:|`,
    ...rows.map(
      (r, i) =>
        `| ${i + 1} | ${cell(r.name)} | ${cell(r.file) || "–"} | ${r.selfMs.toFixed(1)} | ${r.selfPct.toFixed(1)} | ${r.totalMs.toFixed(1)} | ${r.totalPct.toFixed(1)} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

// ---- flame graph ----

interface Frame {
  frame: CallFrame;
  selfUs: number;
  totalUs: number;
  children: Map<string, Frame>;
}

const stackKey = (f: CallFrame) => `${fnKey(f)}\u0000${f.columnNumber}`;

/** The call tree with identical call stacks merged, idle subtrees dropped unless includeIdle. */
function mergedTree(ix: Indexed, includeIdle: boolean): Frame {
  const newFrame = (frame: CallFrame): Frame => ({ frame, selfUs: 0, totalUs: 0, children: new Map() });
  const merge = (into: Frame, node: CpuProfileNode): void => {
    into.selfUs += ix.selfUs.get(node.id) ?? 0;
    for (const id of node.children ?? []) {
      const child = ix.byId.get(id);
      if (child === undefined || (!includeIdle && isIdle(child.callFrame))) continue;
      const k = stackKey(child.callFrame);
      let f = into.children.get(k);
      if (f === undefined) into.children.set(k, (f = newFrame(child.callFrame)));
      merge(f, child);
    }
  };
  const total = (f: Frame): number =>
    (f.totalUs = f.selfUs + [...f.children.values()].reduce((s, c) => s + total(c), 0));
  const root = newFrame(ix.root.callFrame);
  merge(root, ix.root);
  total(root);
  return root;
}

interface Box {
  f: Frame;
  depth: number;
  x: number;
  w: number;
}

/** Frames at least minFrac of the root wide, children ordered by descending time. */
function layout(root: Frame, minFrac: number, innerW: number): Box[] {
  const boxes: Box[] = [];
  const place = (f: Frame, depth: number, x: number): void => {
    if (root.totalUs === 0 || f.totalUs / root.totalUs < minFrac) return;
    boxes.push({ f, depth, x, w: (f.totalUs / root.totalUs) * innerW });
    let cx = x;
    for (const c of [...f.children.values()].sort((a, b) => b.totalUs - a.totalUs)) {
      place(c, depth + 1, cx);
      cx += (c.totalUs / root.totalUs) * innerW;
    }
  };
  place(root, 0, PAD);
  return boxes;
}

function truncate(label: string, px: number): string {
  const chars = Math.floor((px - 6) / CHAR_PX);
  if (label.length <= chars) return label;
  return chars < 3 ? "" : `${label.slice(0, chars - 1)}…`;
}

function boxSvg(b: Box, y: number, rootUs: number): string {
  const { frame } = b.f;
  const name = frameLabel(frame);
  const full = frame.url === "" ? name : frameLabel(frame, frame.url.replace(/^file:\/\//, ""));
  const ms = (b.f.totalUs / 1000).toFixed(1);
  const pct = ((b.f.totalUs * 100) / rootUs).toFixed(1);
  const fill = colour(category(frame.url), name);
  return (
    `<g class="frame"><title>${escapeXml(`${full} — ${ms} ms, ${pct} %`)}</title>` +
    `<rect x="${b.x.toFixed(2)}" y="${y}" width="${b.w.toFixed(2)}" height="${ROW - 1}" rx="2" fill="${fill}"/>` +
    `<text x="${(b.x + 3).toFixed(2)}" y="${y + ROW - 4}">${escapeXml(truncate(name, b.w))}</text></g>`
  );
}

/**
 * Flame graph with the root at the bottom: each box is one merged call stack, width ∝ its
 * inclusive sample time; boxes narrower than minFrac (default 0.002) of the total are omitted.
 * Colours: project code orange/red, node_modules yellow, node: internals green, native grey.
 */
export function flameGraphSvg(profile: CpuProfile, opts: FlameOptions): string {
  const width = opts.width ?? 1200;
  const minFrac = opts.minFrac ?? 0.002;
  const includeIdle = opts.includeIdle ?? false;
  const ix = index(profile);
  const root = mergedTree(ix, includeIdle);
  const boxes = layout(root, minFrac, width - 2 * PAD);
  const maxDepth = boxes.reduce((m, b) => Math.max(m, b.depth), 0);
  const height = HEADER + (maxDepth + 1) * ROW + PAD;
  const idleMs = (idleUs(ix) / 1000).toFixed(1);
  const subtitle =
    `Flame graph, root at the bottom; width ∝ inclusive CPU time. Shown: ${(root.totalUs / 1000).toFixed(1)} ms of samples; ` +
    `idle: ${idleMs} ms (${includeIdle ? "included" : "excluded"}); frames < ${(minFrac * 100).toFixed(2)} % omitted.`;
  const frameY = (depth: number) => HEADER + (maxDepth - depth) * ROW;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="12">`,
    `<rect class="bg" x="0" y="0" width="${width}" height="${height}" fill="#f8f8f4"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(opts.title)}</text>`,
    `<text x="${width / 2}" y="42" text-anchor="middle" fill="#555">${escapeXml(subtitle)}</text>`,
    ...boxes.map((b) => boxSvg(b, frameY(b.depth), root.totalUs)),
    `</svg>`,
    ``,
  ].join("\n");
}

// ---- CLI ----

function main(): void {
  const { values, positionals } = parseArgs({
    options: { title: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  const [input, output] = positionals;
  if (input === undefined || output === undefined) {
    process.stderr.write(
      "Usage: tsx simulators/bench/profile/flame.ts <profile.cpuprofile> <out.svg> [--title T]\n",
    );
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(input, "utf8")) as CpuProfile;
  writeFileSync(output, flameGraphSvg(profile, { title: values.title ?? basename(input) }));
  process.stdout.write(topFunctionsMarkdown(topFunctions(profile)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
