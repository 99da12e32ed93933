/**
 * The InfluxDB 1.x write target (influx/http-target.ts) against a local HTTP server: 2xx is
 * success, other statuses carry their body's start, a server that never answers or refuses
 * the connection is a network error (no status), so the write loop retries it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/support/free-port";
import { httpTarget } from "../src/influx/http-target";

const received: { auth?: string; length: number; body: string }[] = [];
let server: http.Server;
let base = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ auth: req.headers.authorization, length: Number(req.headers["content-length"]), body });
      if (req.url?.startsWith("/hang")) return; // never answers
      if (req.url?.startsWith("/bad")) {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `unable to parse '${body}': ${"x".repeat(1000)}` }));
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("httpTarget", () => {
  it("posts the body once encoded, with its length and headers, and reads 204 as ok", async () => {
    const t = httpTarget("t", `${base}/write?db=x`, { authorization: "Basic abc" }, { maxSockets: 2 });
    const body = 'gas,sensor=s1 value=1.5,quality="güt" 1';
    expect(await t.post(body)).toEqual({ ok: true });
    expect(received.at(-1)).toEqual({ auth: "Basic abc", length: Buffer.byteLength(body), body });
    t.close?.();
  });

  it("returns a refusal's status and the start of its body", async () => {
    const t = httpTarget("t", `${base}/bad`, {}, { maxSockets: 1 });
    const out = await t.post("nonsense");
    expect(out).toMatchObject({ ok: false, status: 400 });
    expect(!out.ok && out.message).toMatch(/^\{"error":"unable to parse 'nonsense'/);
    expect(!out.ok && out.message.length).toBe(500);
    t.close?.();
  });

  it("fails a request left unanswered past the timeout, and a refused connection, with no status", async () => {
    const hung = httpTarget("t", `${base}/hang`, {}, { maxSockets: 1, timeoutMs: 300 });
    const out = await hung.post("x 1");
    expect(out).toEqual({ ok: false, message: "no answer within 300 ms" });
    hung.close?.();
    const refused = httpTarget("t", `http://127.0.0.1:${await freePort()}/write`, {}, { maxSockets: 1 });
    const r = await refused.post("x 1");
    expect(r.ok).toBe(false);
    expect(!r.ok && r).toMatchObject({ message: expect.stringMatching(/ECONNREFUSED/) });
    expect(!r.ok && r.status).toBeUndefined();
    refused.close?.();
  });
});
