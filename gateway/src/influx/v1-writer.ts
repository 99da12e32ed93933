/**
 * InfluxDB 1.x writer: POST /write?db=<db>&precision=ms[&rp=<rp>] with line-protocol bodies
 * of up to `batchSize` lines [InfluxDB 1.x HTTP API, /write], through the shared write loop
 * (line-writer.ts: up to `concurrency` requests in flight, retries, in-order journal commit
 * and catch-up).
 */
import type { InfluxV1Resolved } from "../config/load";
import { httpTarget } from "./http-target";
import { LineWriter, type LineWriterOptions } from "./line-writer";

export interface V1WriterOptions extends LineWriterOptions {
  target: InfluxV1Resolved;
}

export function v1AuthHeaders(target: InfluxV1Resolved): Record<string, string> {
  if (target.username === undefined) return {};
  const basic = Buffer.from(`${target.username}:${target.password ?? ""}`).toString("base64");
  return { authorization: `Basic ${basic}` };
}

export class InfluxV1Writer extends LineWriter {
  constructor(opts: V1WriterOptions) {
    const u = new URL("/write", opts.target.url);
    u.searchParams.set("db", opts.target.database);
    u.searchParams.set("precision", "ms");
    if (opts.target.retentionPolicy !== undefined) u.searchParams.set("rp", opts.target.retentionPolicy);
    const target = httpTarget("influx-v1", u.toString(), v1AuthHeaders(opts.target), {
      maxSockets: Math.max(1, opts.concurrency ?? 4),
    });
    super(target, opts);
  }
}
