/**
 * The viewer's gateway routes on a real in-process gateway (secure mode): /api/session,
 * /api/viewer-config, /api/replay (hot store: per-point level, out-of-order points, bad `at`,
 * future clamp; gzip is checked on the demo city in test/browser/viewer-byo-city.test.ts) and the open /city-assets/ files (no traversal). Demo-mode session too.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replaySnapshotSchema, sessionInfoSchema, viewerConfigSchema } from "@citytwin/model";
import { GAS_DEV, GW, POLE_DEV, batch } from "./fixtures";
import { TOKENS, authGet, connectEdge, eventually, startTestGateway, type TestGateway } from "./harness";

const CH4 = `${GAS_DEV}.ch4`;
const PM25 = `${POLE_DEV}.pm25`;
const VIEWER = {
  basemap: { type: "xyz", url: "/city-assets/tiles/{z}/{x}/{y}.png", maxZoom: 18 },
  drawModelBuildings: false,
  layers: [{ type: "geojson", url: "/city-assets/buildings.geojson", role: "buildings" }],
};

let assets: string;
let gw: TestGateway;
let edge: MqttClient;
const T0 = Date.now() - 60_000;

const url = (path: string) => new URL(path, gw.addr.url);

/** Raw GET (fetch would normalise `..` away), returning status and body text. */
function rawGet(path: string): Promise<[number, string]> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: gw.addr.httpPort, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve([res.statusCode ?? 0, body]));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  assets = await mkdtemp(join(tmpdir(), "citytwin-assets-"));
  await mkdir(join(assets, "tiles"));
  await writeFile(join(assets, "buildings.geojson"), '{"type":"FeatureCollection","features":[]}');
  await writeFile(join(assets, "tiles", "t.png"), "png");
  await writeFile(join(assets, "..", "citytwin-secret.txt"), "secret");
  gw = await startTestGateway({ viewer: { ...VIEWER, assetsDir: assets } });
  edge = await connectEdge(gw);
  // ch4 thresholds: blue 10, yellow 20, orange 25, red 50. The 3rd point arrives late (out of order).
  const payload = batch(1, {
    [GAS_DEV]: [
      { ts: T0, clock: "edge", values: { ch4: 5 } },
      { ts: T0 + 2000, clock: "edge", values: { ch4: 60 } },
      { ts: T0 + 4000, clock: "edge", values: { ch4: 22 } },
      { ts: T0 + 1000, clock: "edge", values: { ch4: 12 } },
      { ts: T0 + 3000, clock: "edge", values: { ch4: null }, q: { ch4: "bad" } },
    ],
    [POLE_DEV]: [{ ts: T0 + 1500, clock: "edge", values: { pm25: 160 } }],
  });
  await edge.publishAsync(`ct/v1/hefei/${GW}/telemetry`, JSON.stringify(payload), { qos: 1 });
  await eventually(async () => {
    const body = (await (await authGet(url("api/latest"))).json()) as { readings: unknown[] };
    return body.readings.length === 2 ? true : undefined;
  });
});

afterAll(async () => {
  await edge?.endAsync();
  await gw?.stop();
  await rm(assets, { recursive: true, force: true });
  await rm(join(assets, "..", "citytwin-secret.txt"), { force: true });
});

async function replay(at: number | string) {
  const res = await authGet(url(`api/replay?at=${at}`));
  expect(res.status).toBe(200);
  return replaySnapshotSchema.parse(await res.json());
}

describe("GET /api/session", () => {
  it("names the token's operator and role, 401 without or with a wrong token", async () => {
    for (const [role, token] of Object.entries(TOKENS)) {
      const res = await authGet(url("api/session"), token);
      expect(res.status).toBe(200);
      expect(sessionInfoSchema.parse(await res.json())).toEqual({
        name: token.split(".")[0],
        role,
        mode: "secure",
      });
    }
    expect((await fetch(url("api/session"))).status).toBe(401);
    expect((await authGet(url("api/session"), "wall.wrong-secret-0123456789")).status).toBe(401);
  });

  it("demo mode without a token: admin 'demo'", async () => {
    const demo = await startTestGateway({ mode: "demo" });
    try {
      const res = await fetch(new URL("api/session", demo.addr.url));
      expect(await res.json()).toEqual({ name: "demo", role: "admin", mode: "demo" });
    } finally {
      await demo.stop();
    }
  });
});

describe("GET /api/viewer-config", () => {
  it("serves the viewer section without assetsDir; 401 without a token", async () => {
    const res = await authGet(url("api/viewer-config"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.assetsDir).toBeUndefined();
    expect(viewerConfigSchema.parse(body)).toEqual({
      ...VIEWER,
      layers: [
        { ...VIEWER.layers[0], idProperty: "assetId", heightProperty: "height", depthProperty: "depth" },
      ],
    });
    expect((await fetch(url("api/viewer-config"))).status).toBe(401);
  });

  it("defaults without a viewer section", async () => {
    const plain = await startTestGateway();
    try {
      const res = await authGet(new URL("api/viewer-config", plain.addr.url));
      expect(await res.json()).toEqual({ drawModelBuildings: true, layers: [] });
      expect((await fetch(new URL("city-assets/x.png", plain.addr.url))).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});

describe("/city-assets/", () => {
  it("serves files open (Cesium sends no bearer token) with content types", async () => {
    const res = await fetch(url("city-assets/buildings.geojson"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/geo+json");
    expect(await res.text()).toContain("FeatureCollection");
    expect((await fetch(url("city-assets/tiles/t.png"))).status).toBe(200);
    expect((await fetch(url("city-assets/missing.png"))).status).toBe(404);
  });

  it("refuses traversal out of assetsDir", async () => {
    for (const path of [
      "/city-assets/../citytwin-secret.txt",
      "/city-assets/%2e%2e/citytwin-secret.txt",
      "/city-assets/tiles/%2e%2e/%2e%2e/citytwin-secret.txt",
      "/city-assets/..%2fcitytwin-secret.txt",
    ]) {
      const [status, body] = await rawGet(path);
      expect(body, path).not.toContain("secret\n");
      expect(body, path).not.toBe("secret");
      expect(status, path).toBe(404);
    }
    expect((await fetch(url("city-assets/tiles/t.png"), { method: "POST" })).status).toBe(405);
  });
});

describe("GET /api/replay", () => {
  it("answers each sensor's newest point at or before `at` with that point's level", async () => {
    const at = (t: number) => replay(T0 + t);
    expect((await at(-1)).readings).toEqual([]);
    expect((await at(0)).readings).toEqual([[CH4, T0, 5, "good", "normal"]]);
    // The late point (T0+1000, 12 → blue) is found although it arrived after T0+4000.
    expect((await at(1600)).readings).toEqual([
      [CH4, T0 + 1000, 12, "good", "blue"],
      [PM25, T0 + 1500, 160, "good", "orange"],
    ]);
    expect((await at(2500)).readings[0]).toEqual([CH4, T0 + 2000, 60, "good", "red"]);
    expect((await at(3000)).readings[0]).toEqual([CH4, T0 + 3000, null, "bad", "normal"]);
    const last = await at(10_000);
    expect(last.source).toBe("hot");
    expect(last.at).toBe(T0 + 10_000);
    expect(last.hotFrom).toBe(T0 + 1500);
    expect(last.readings[0]).toEqual([CH4, T0 + 4000, 22, "good", "yellow"]);
  });

  it("clamps a future `at` to now", async () => {
    const before = Date.now();
    const snap = await replay(Date.now() + 3600_000);
    expect(snap.at).toBeGreaterThanOrEqual(before);
    expect(snap.at).toBeLessThanOrEqual(Date.now());
    expect(snap.readings.length).toBe(2);
  });

  it("400 for a missing or bad `at`, 401/403 rules like the other reads", async () => {
    for (const q of ["", "?at=", "?at=abc", "?at=1.5", "?at=-5", "?at=1e400"]) {
      const res = await authGet(url(`api/replay${q}`));
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
    }
    expect((await fetch(url(`api/replay?at=${T0}`))).status).toBe(401);
    const post = await fetch(url(`api/replay?at=${T0}`), {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.viewer}` },
    });
    expect(post.status).toBe(405);
  });
});
