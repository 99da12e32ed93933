/**
 * InfluxDB 2.x / 3.x / Cloud writer: POST /api/v2/write?org=&bucket=&precision=ms with
 * `Authorization: Token <token>` [InfluxDB v2 API, /api/v2/write], sent through the official
 * client's HTTP transport (`@influxdata/influxdb-client`: TLS, proxies, auth header) and the
 * shared write loop (line-writer.ts: up to `concurrency` requests in flight, retries,
 * in-order journal commit and catch-up). The client's own WriteApi is not used: it keeps
 * unsent lines only in memory and gives them up after its retries, while the loop commits
 * journal records by HTTP status.
 * 2xx (204) is success; 400/401/404/413 are final (dead-lettered); 429, 5xx and network
 * errors are retried.
 */
import { HttpError, InfluxDB } from "@influxdata/influxdb-client";
import type { InfluxV2Resolved } from "../config/load";
import { LineWriter, describeCause, type LineWriterOptions, type WriteTarget } from "./line-writer";

export interface V2WriterOptions extends LineWriterOptions {
  target: InfluxV2Resolved;
}

function clientTarget(target: InfluxV2Resolved): WriteTarget {
  const transport = new InfluxDB({ url: target.url, token: target.token }).transport;
  const query = new URLSearchParams({ org: target.org, bucket: target.bucket, precision: "ms" });
  const path = `/api/v2/write?${query.toString()}`;
  return {
    name: "influx-v2",
    async post(body) {
      try {
        await transport.request(path, body, {
          method: "POST",
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
        return { ok: true };
      } catch (cause) {
        if (cause instanceof HttpError)
          return {
            ok: false,
            status: cause.statusCode,
            message: (cause.body ?? cause.message).slice(0, 500),
          };
        return { ok: false, message: describeCause(cause) };
      }
    },
  };
}

export class InfluxV2Writer extends LineWriter {
  constructor(opts: V2WriterOptions) {
    super(clientTarget(opts.target), opts);
  }
}
