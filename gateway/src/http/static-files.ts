/**
 * Static files from `http.staticDir` (the built twin viewer) at `/`. `/` and unknown
 * extension-less paths fall back to index.html (client-side routes). Paths are decoded,
 * normalised and must stay inside the root (no traversal, no NUL); dot-files are not served.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { sendError } from "./respond";

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".glb": "model/gltf-binary",
  ".gltf": "model/gltf+json",
  ".ktx2": "image/ktx2",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
  ".xml": "application/xml",
  ".b3dm": "application/octet-stream",
  ".geojson": "application/geo+json",
  ".terrain": "application/vnd.quantized-mesh",
};

/** Resolves a URL path to a file path inside `root`, or undefined when it would escape. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const rel = normalize(decoded).replace(/^(\.\.(\/|$))+/, "");
  if (rel.split("/").some((seg) => seg.startsWith("."))) return undefined;
  const full = join(root, rel);
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  return full;
}

export async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  urlPath: string,
): Promise<void> {
  let file = resolveStaticPath(root, urlPath);
  if (file === undefined) return sendError(res, 404, "NOT_FOUND", "no such file");
  let st = await stat(file).catch(() => undefined);
  if (st?.isDirectory() === true) {
    file = join(file, "index.html");
    st = await stat(file).catch(() => undefined);
  }
  if (st === undefined && extname(urlPath) === "") {
    file = join(root, "index.html");
    st = await stat(file).catch(() => undefined);
  }
  if (st === undefined || !st.isFile()) return sendError(res, 404, "NOT_FOUND", "no such file");
  const etag = `W/"${st.size.toString(16)}-${Math.trunc(st.mtimeMs).toString(16)}"`;
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, { etag });
    res.end();
    return;
  }
  res.writeHead(200, {
    "content-type": CONTENT_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": st.size,
    etag,
    "x-content-type-options": "nosniff",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}
