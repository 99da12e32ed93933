/**
 * GET /api/city: the city file verbatim, gzip when asked (compressed on first request, off
 * the event loop), and the ETag answered with 304.
 */
import { get } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, TOKENS, type TestGateway } from "./harness";

function fetchRaw(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { authorization: `Bearer ${TOKENS.viewer}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    }).on("error", reject);
  });
}

describe("GET /api/city", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.stop());

  it("serves the file as read, gzip on request, and 304 for its ETag", async () => {
    const url = new URL("api/city", gw.addr.url).href;
    const file = await readFile(join(gw.dir, "city.json"));
    const plain = await fetchRaw(url, {});
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.equals(file)).toBe(true);
    for (let i = 0; i < 2; i++) {
      const zipped = await fetchRaw(url, { "accept-encoding": "gzip" });
      expect(zipped.headers["content-encoding"]).toBe("gzip");
      expect(Number(zipped.headers["content-length"])).toBe(zipped.body.length);
      expect(gunzipSync(zipped.body).equals(file)).toBe(true);
    }
    const again = await fetchRaw(url, { "if-none-match": String(plain.headers.etag) });
    expect(again.status).toBe(304);
  });
});
