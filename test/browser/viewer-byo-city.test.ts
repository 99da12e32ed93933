/**
 * Bring your own city on the real platform: the gateway's `viewer:` section names a local XYZ
 * base map (a tile server in this test), GeoJSON buildings and a network line, and a generated
 * 3D Tiles tileset (b3dm), all served from `viewer.assetsDir` at /city-assets/. In Chromium: the
 * layers draw the fixture's feature counts, the generated buildings are hidden, clicking a GeoJSON
 * building or a tileset box focuses its asset (the detail panel opens), the leaking chamber's
 * features turn red with its methane sensor, tiles come only from the local tile server, nothing
 * leaves localhost and no page error is raised. Also: /api/replay on the demo city is gzipped.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEVEL_LABELS, replaySnapshotSchema, type Asset, type CityModel } from "@citytwin/model";
import type { Platform } from "../../simulators/src/demo/launch";
import { buildViewer } from "../../simulators/src/demo/viewer-build";
import { isLocalUrl, launchChromium } from "../support/browser";
import { offset, solidPng, writeByoFixtures, type FixtureBox } from "../support/byo-fixtures";
import { freePorts } from "../support/free-port";
import { openViewer, startDemoPlatform } from "../support/viewer-harness";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const LEAKING = "340111-GVC-00003";
const WAIT_MS = 150_000;

let platform: Platform;
let city: CityModel;
let browser: Browser;
let page: Page;
let tileServer: Server;
let tilePort: number;
const tileRequests: string[] = [];
const requests: string[] = [];
const pageErrors: string[] = [];
let buildings: FixtureBox[];
let tiles: FixtureBox[];

/** Asset farthest from every other sensor (so a click beside it hits no sensor point). */
function isolated(candidates: Asset[], exclude: Set<string>): Asset {
  const d2 = (a: readonly number[], b: readonly number[]) =>
    ((a[0]! - b[0]!) * 111_320 * Math.cos((a[1]! * Math.PI) / 180)) ** 2 + ((a[1]! - b[1]!) * 111_320) ** 2;
  let best: [Asset, number] | undefined;
  for (const a of candidates) {
    if (exclude.has(a.id)) continue;
    const near = Math.min(
      ...city.sensors.filter((s) => s.assetId !== a.id).map((s) => d2(s.position, a.position)),
    );
    if (best === undefined || near > best[1]) best = [a, near];
  }
  return best![0];
}

function boxBeside(a: Asset, eastM: number, heightM: number): FixtureBox {
  const [lon, lat] = offset(a.position[0], a.position[1], eastM, 0);
  return { assetId: a.id, lon, lat, sizeM: 24, heightM };
}

type Probe = {
  basemap: string | undefined;
  layers: { type: string; url: string; features: number; ready: boolean; error?: string }[];
  modelBuildings: boolean;
};
const probe = () =>
  page.evaluate(() => {
    const p = window.__citytwin?.features.byo as Probe | undefined;
    return p === undefined
      ? undefined
      : { basemap: p.basemap, layers: p.layers, modelBuildings: p.modelBuildings };
  });
const colourOf = (assetId: string) =>
  page.evaluate(
    (id) => (window.__citytwin?.features.byo as { colourOf(a: string): string | undefined }).colourOf(id),
    assetId,
  );

/** Points the camera at the asset's first sensor, then clicks the middle of a fixture box. */
async function clickBox(box: FixtureBox): Promise<void> {
  const sensor = city.sensors.find((s) => s.assetId === box.assetId)!;
  await page.evaluate((id) => window.__citytwin?.viewSensor(id, 260), sensor.id);
  await page.waitForTimeout(1500);
  const at = await page.evaluate(
    (b) =>
      (
        window.__citytwin?.features.byo as {
          project(lon: number, lat: number, h: number): { x: number; y: number } | undefined;
        }
      ).project(b.lon, b.lat, b.heightM * 0.6),
    box,
  );
  expect(at, `${box.assetId} box on screen`).toBeDefined();
  await page.mouse.click(at!.x, at!.y);
}

/** Clears the selection (as a click on empty ground does) and waits for the panel to close. */
async function clearFocus(): Promise<void> {
  await page.evaluate(() => window.__citytwin?.select(undefined));
  await expect.poll(() => page.isVisible("#panel"), { timeout: 10_000 }).toBe(false);
}

beforeAll(async () => {
  buildViewer(ROOT);
  const png = solidPng([24, 48, 72]);
  tileServer = createServer((req, res) => {
    tileRequests.push(req.url ?? "");
    if (!/^\/tiles\/\d+\/\d+\/\d+\.png$/.test(req.url ?? "")) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "image/png", "access-control-allow-origin": "*" });
    res.end(png);
  });
  tilePort = (await freePorts(1))[0]!;
  await new Promise<void>((r) => tileServer.listen(tilePort, "127.0.0.1", r));
  const runtimeDir = mkdtempSync(join(tmpdir(), "citytwin-byo-"));
  const assetsDir = join(runtimeDir, "city-assets");
  mkdirSync(assetsDir);
  const scenario = join(runtimeDir, "leak.yaml");
  writeFileSync(
    scenario,
    `version: 1\nname: byo-gas-leak\nincidents:\n  - id: byo-leak\n    type: gas_leak\n    target: ${LEAKING}\n    startS: 75\n    durationS: 900\n    severity: 1\n`,
  );
  ({ platform, city } = await startDemoPlatform("byo", {
    runtimeDir,
    scenario,
    viewer: {
      assetsDir,
      basemap: { type: "xyz", url: `http://127.0.0.1:${tilePort}/tiles/{z}/{x}/{y}.png`, maxZoom: 18 },
      drawModelBuildings: false,
      layers: [
        { type: "geojson", url: "city-assets/buildings.geojson", role: "buildings" },
        { type: "geojson", url: "city-assets/network.geojson", role: "network" },
        { type: "3dtiles", url: "city-assets/tiles/tileset.json" },
      ],
    },
  }));
  // The city exists once the platform runs; the gateway reads the fixtures per request.
  const leak = city.assets.find((a) => a.id === LEAKING)!;
  const b = isolated(city.assets, new Set([LEAKING]));
  const c = isolated(city.assets, new Set([LEAKING, b.id]));
  const pipe = city.assets.find((a) => a.type === "GPS")!;
  buildings = [boxBeside(leak, 40, 18), boxBeside(b, 45, 30), boxBeside(c, -70, 12)];
  tiles = [boxBeside(leak, -40, 22), boxBeside(c, 45, 30)];
  writeByoFixtures(assetsDir, {
    buildings,
    tiles,
    network: {
      assetId: pipe.id,
      path: [
        offset(pipe.position[0], pipe.position[1], -60, 0),
        offset(pipe.position[0], pipe.position[1], 60, 0),
      ],
      depthM: -1.5,
    },
  });

  browser = await launchChromium();
  page = await openViewer(browser, platform.viewerUrl, { requests, pageErrors, timeoutMs: WAIT_MS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  await new Promise((r) => tileServer?.close(r));
});

describe("bring your own city", () => {
  it("draws every fixture feature, hides the generated buildings, and shows the base map", async () => {
    expect(await page.evaluate(() => window.__citytwin?.error)).toBeUndefined();
    await expect
      .poll(
        async () => (await probe())?.layers.every((l) => l.ready) === true && (await probe())?.layers.length,
        {
          timeout: 60_000,
          interval: 500,
        },
      )
      .toBe(3);
    // A tileset is ready once tileset.json is read; its features count once the tile content has
    // loaded (streamed after that, slower on a busy machine).
    const count = async (url: string) => (await probe())?.layers.find((l) => l.url === url)?.features;
    await expect.poll(() => count("city-assets/tiles/tileset.json"), { timeout: 60_000 }).toBe(tiles.length);
    expect(await count("city-assets/buildings.geojson")).toBe(buildings.length);
    expect(await count("city-assets/network.geojson")).toBe(1);
    const p = (await probe())!;
    expect(p.layers.map((l) => l.error)).toEqual([undefined, undefined, undefined]);
    expect(p.basemap).toBe(`http://127.0.0.1:${tilePort}/tiles/{z}/{x}/{y}.png`);
    expect(p.modelBuildings).toBe(false);
    await expect.poll(() => tileRequests.length, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(tileRequests.every((u) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(u))).toBe(true);
  }, 120_000);

  it("focuses the asset of a clicked GeoJSON building and of a clicked tileset box", async () => {
    for (const box of [buildings[1]!, tiles[1]!]) {
      await clearFocus();
      await clickBox(box);
      await expect.poll(() => page.isVisible("#panel"), { timeout: 15_000 }).toBe(true);
      // The panel names the focused asset (its id is shown under the name).
      await expect.poll(() => page.textContent("#panel"), { timeout: 5000 }).toContain(box.assetId);
    }
  }, 120_000);

  it(
    "colours the leaking chamber's features red when its methane sensor goes red",
    async () => {
      const base = await colourOf(LEAKING);
      expect(base).toBeDefined();
      expect(base).not.toBe(LEVEL_LABELS.red.css);
      const ch4 = city.sensors.find((s) => s.assetId === LEAKING && s.kind === "ch4")!.id;
      await expect
        .poll(
          async () => {
            const level = await page.evaluate((id) => window.__citytwin?.levelOf(id), ch4);
            return level === "red" ? colourOf(LEAKING) : `sensor ${String(level)}`;
          },
          { timeout: WAIT_MS, interval: 300 },
        )
        .toBe(LEVEL_LABELS.red.css);
      mkdirSync(join(ROOT, "test-output"), { recursive: true });
      await clearFocus();
      await page.evaluate((id) => window.__citytwin?.viewSensor(id, 320), ch4);
      await page.waitForTimeout(2000);
      await page.screenshot({ path: join(ROOT, "test-output", "viewer-byo-city.png") });
    },
    WAIT_MS + 30_000,
  );

  it("serves a gzipped replay snapshot of the demo city", async () => {
    const res = await fetch(`${platform.url}api/replay?at=${Date.now()}`, {
      headers: { authorization: `Bearer ${platform.operatorTokens.viewer}`, "accept-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const snap = replaySnapshotSchema.parse(await res.json());
    expect(snap.source).toBe("hot");
    expect(snap.readings.length).toBeGreaterThan(city.sensors.length / 2);
  });

  it("requested tiles only from the local tile server, nothing beyond localhost, no page error", () => {
    const tileUrls = requests.filter((u) => /\/tiles\/\d+\/\d+\/\d+\.png$/.test(u));
    expect(tileUrls.length).toBeGreaterThan(0);
    expect(tileUrls.every((u) => u.startsWith(`http://127.0.0.1:${tilePort}/`))).toBe(true);
    expect(requests.filter((u) => !isLocalUrl(u))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
