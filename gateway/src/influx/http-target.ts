/**
 * A WriteTarget over node:http(s) with a keep-alive agent (InfluxDB 1.x /write): the body
 * is encoded once and sent with a Content-Length, without fetch's stream machinery (at
 * 80,000 readings/s `fetch` cost about twice the CPU per request; docs/profiling.md §7).
 * A request with no answer within `timeoutMs` is a network error (retried by the write
 * loop), so a hung InfluxDB cannot hold a send slot forever.
 */
import http from "node:http";
import https from "node:https";
import type { PostOutcome, WriteTarget } from "./line-writer";

export interface HttpTargetOptions {
  /** Sockets kept open (the write loop's `concurrency`). */
  maxSockets: number;
  /** No response within this long: the attempt fails as a network error (default 60 s). */
  timeoutMs?: number;
}

export function httpTarget(
  name: string,
  url: string,
  headers: Record<string, string>,
  opts: HttpTargetOptions,
): WriteTarget {
  const u = new URL(url);
  const lib = u.protocol === "https:" ? https : http;
  const agent = new lib.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return {
    name,
    post(text) {
      const body = Buffer.from(text, "utf8");
      return new Promise<PostOutcome>((resolve) => {
        const req = lib.request(
          u,
          {
            method: "POST",
            agent,
            headers: {
              "content-type": "text/plain; charset=utf-8",
              "content-length": body.length,
              ...headers,
            },
          },
          (res) => {
            const status = res.statusCode ?? 0;
            const chunks: Buffer[] = [];
            let size = 0;
            res.on("data", (c: Buffer) => {
              if (size < 500 && status >= 300) chunks.push(c);
              size += c.length;
            });
            res.on("end", () =>
              resolve(
                status >= 200 && status < 300
                  ? { ok: true }
                  : { ok: false, status, message: Buffer.concat(chunks).toString("utf8").slice(0, 500) },
              ),
            );
            res.on("error", (err) => resolve({ ok: false, message: err.message }));
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on("error", (err: NodeJS.ErrnoException) =>
          resolve({
            ok: false,
            message: err.code === undefined ? err.message : `${err.message} (${err.code})`,
          }),
        );
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
