/** Small response helpers: JSON bodies and the API's error shape `{error:{code,message}}`. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";

export function sendJson(res: ServerResponse, status: number, body: unknown, req?: IncomingMessage): void {
  const text = Buffer.from(JSON.stringify(body));
  const headers: Record<string, string | number> = {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  };
  if (req !== undefined && text.length > 8192 && acceptsGzip(req)) {
    const gz = gzipSync(text, { level: 1 });
    res.writeHead(status, {
      ...headers,
      "content-encoding": "gzip",
      "content-length": gz.length,
      vary: "accept-encoding",
    });
    res.end(gz);
    return;
  }
  res.writeHead(status, { ...headers, "content-length": text.length });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

export function acceptsGzip(req: IncomingMessage): boolean {
  const ae = req.headers["accept-encoding"];
  return typeof ae === "string" && /\bgzip\b/.test(ae);
}
