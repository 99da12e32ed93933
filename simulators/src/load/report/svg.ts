/**
 * A small SVG chart renderer for the offline HTML report: line or scatter charts with nice
 * axis ticks, axis titles with units, a legend, optional horizontal reference lines and a
 * y = x diagonal. Output is standalone markup (`<svg xmlns=…>`), no scripts, no external refs.
 */
export interface Series {
  name: string;
  points: [number, number][];
  color: string;
  dashed?: boolean;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  kind?: "line" | "scatter";
  width?: number;
  height?: number;
  /** Horizontal reference lines, e.g. the 85 % busy threshold. */
  refs?: { y: number; label: string; color: string }[];
  /** Draw y = x (offered vs acknowledged). */
  diagonal?: boolean;
  /** Force the y axis to start at 0 (default true). */
  yZero?: boolean;
  /** Logarithmic x axis (x > 0), ticks at powers of ten. */
  xLog?: boolean;
}

export const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max))) return [0, 1];
  if (max <= min) max = min + (min === 0 ? 1 : Math.abs(min));
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.floor(min / step) * step; v <= max + step * 0.999; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** 1234 → "1.2k", 2500000 → "2.5M", 0.25 → "0.25". */
export function short(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

/** Powers of ten covering [min, max] (min > 0), for a log axis. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-12)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(max, min, 1e-12))));
  return Array.from({ length: hi - lo + 1 }, (_, i) => Number((10 ** (lo + i)).toPrecision(12)));
}

const f1 = (x: number) => x.toFixed(1);

export function renderChart(c: Chart): string {
  const W = c.width ?? 1200;
  const H = c.height ?? 360;
  const m = { l: 78, r: 24, t: 56, b: 56 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const pts = c.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = pts.map((p) => p[0]);
  const ys = [...pts.map((p) => p[1]), ...(c.refs ?? []).map((r) => r.y)];
  const xt = c.xLog
    ? logTicks(xs.length ? Math.min(...xs) : 1, xs.length ? Math.max(...xs) : 10)
    : niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1);
  const yLo = c.yZero === false && ys.length ? Math.min(...ys) : 0;
  const yt = niceTicks(
    Math.min(0, yLo),
    ys.length ? Math.max(...ys, c.diagonal ? Math.max(0, ...xs) : 0) : 1,
  );
  const [x0, x1, y0, y1] = [xt[0]!, xt[xt.length - 1]!, yt[0]!, yt[yt.length - 1]!];
  const xv = (v: number) => (c.xLog ? Math.log10(Math.max(v, Number.MIN_VALUE)) : v);
  const X = (v: number) => m.l + ((xv(v) - xv(x0)) / (xv(x1) - xv(x0) || 1)) * pw;
  const Y = (v: number) => m.t + ph - ((v - y0) / (y1 - y0 || 1)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(c.title)}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${m.l}" y="22" font-size="16" font-weight="600">${esc(c.title)}</text>`,
  ];
  for (const v of yt)
    out.push(
      `<line x1="${m.l}" x2="${m.l + pw}" y1="${f1(Y(v))}" y2="${f1(Y(v))}" stroke="#e5e7eb"/>`,
      `<text x="${m.l - 8}" y="${f1(Y(v) + 4)}" text-anchor="end" fill="#374151">${short(v)}</text>`,
    );
  for (const v of xt)
    out.push(
      `<line x1="${f1(X(v))}" x2="${f1(X(v))}" y1="${m.t + ph}" y2="${m.t + ph + 5}" stroke="#6b7280"/>`,
      `<text x="${f1(X(v))}" y="${m.t + ph + 20}" text-anchor="middle" fill="#374151">${short(v)}</text>`,
    );
  out.push(
    `<line x1="${m.l}" x2="${m.l + pw}" y1="${m.t + ph}" y2="${m.t + ph}" stroke="#6b7280"/>`,
    `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ph}" stroke="#6b7280"/>`,
    `<text x="${m.l + pw / 2}" y="${H - 10}" text-anchor="middle" fill="#111827">${esc(c.xLabel)}</text>`,
    `<text transform="translate(18 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" fill="#111827">${esc(c.yLabel)}</text>`,
  );
  if (c.diagonal) {
    const d = Math.min(x1, y1);
    out.push(
      `<line x1="${f1(X(0))}" y1="${f1(Y(0))}" x2="${f1(X(d))}" y2="${f1(Y(d))}" stroke="#9ca3af" stroke-dasharray="4 4"/>`,
    );
  }
  for (const r of c.refs ?? [])
    out.push(
      `<line x1="${m.l}" x2="${m.l + pw}" y1="${f1(Y(r.y))}" y2="${f1(Y(r.y))}" stroke="${r.color}" stroke-dasharray="6 4"/>`,
      `<text x="${m.l + pw - 4}" y="${f1(Y(r.y) - 5)}" text-anchor="end" fill="${r.color}">${esc(r.label)}</text>`,
    );
  for (const s of c.series) {
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (p.length === 0) continue;
    if (c.kind === "scatter")
      for (const [x, y] of p)
        out.push(`<circle cx="${f1(X(x))}" cy="${f1(Y(y))}" r="3" fill="${s.color}" fill-opacity="0.7"/>`);
    else
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 3"' : ""} points="${p.map(([x, y]) => `${f1(X(x))},${f1(Y(y))}`).join(" ")}"/>`,
      );
  }
  if (pts.length === 0)
    out.push(
      `<text x="${m.l + pw / 2}" y="${m.t + ph / 2}" text-anchor="middle" fill="#6b7280">no data</text>`,
    );
  // Legend, one row above the plot, right-aligned.
  let lx = W - m.r;
  for (const s of [...c.series].reverse()) {
    const w = 34 + s.name.length * 7.2;
    lx -= w;
    out.push(
      `<line x1="${f1(lx)}" x2="${f1(lx + 22)}" y1="40" y2="40" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="6 3"' : ""}/>`,
      `<text x="${f1(lx + 28)}" y="44" fill="#111827">${esc(s.name)}</text>`,
    );
  }
  out.push(`</svg>`);
  return out.join("\n");
}
