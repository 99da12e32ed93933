/**
 * Layers, search and level of detail in the twin viewer (Debian chromium, SwiftShader) against
 * the stand-in API server: the gas toggle hides gas sensors and the gas network, district and
 * street toggles hide their sensors, search by Chinese name and by id flies to the asset and opens
 * the detail panel, and zooming far out folds the sensors into grid clusters (sensors in alarm
 * stay) and back. Screenshots: test-output/viewer-layers-{zh,en}.png.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cityModelSchema, type CityModel } from "@citytwin/model";
import { generateCity } from "@citytwin/simulators";
import { buildViewer } from "../../simulators/src/demo/viewer-build";
import { isLocalUrl, launchChromium } from "../support/browser";
import { engineLatest, openViewer } from "../support/viewer-harness";
import { startStaticApiServer, type StaticApiServer } from "../support/static-api-server";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "test-output");
const WAIT_MS = 90_000;
const TOKEN = "ops-wall.layers-test-secret";

let city: CityModel;
let server: StaticApiServer;
let browser: Browser;
let page: Page;
const requests: string[] = [];
const pageErrors: string[] = [];

/** Calls `window.__citytwin.features.layers.<call>` in the page. */
const layers = <T>(call: string): Promise<T> =>
  page.evaluate(`window.__citytwin.features.layers.${call}`) as Promise<T>;

/** Metres between two lon/lat points (equirectangular; fine at district scale). */
function metres(a: readonly number[], b: readonly number[]): number {
  const k = 111_320;
  const dx = (a[0]! - b[0]!) * k * Math.cos((a[1]! * Math.PI) / 180);
  return Math.hypot(dx, (a[1]! - b[1]!) * k);
}

/** Wheels over the map (positive = out) until `done()` or `max` notches. */
async function wheelUntil(deltaY: number, done: () => Promise<boolean>, max = 40): Promise<void> {
  await page.mouse.move(520, 420);
  for (let i = 0; i < max && !(await done()); i++) {
    await page.mouse.wheel(0, deltaY);
    await page.waitForTimeout(300);
  }
}

beforeAll(async () => {
  buildViewer(ROOT);
  city = cityModelSchema.parse(generateCity({ seed: 42 }));
  server = await startStaticApiServer({
    staticDir: join(ROOT, "twin-viewer", "dist"),
    city,
    latest: engineLatest(city),
    token: TOKEN,
  });
  browser = await launchChromium();
  page = await openViewer(browser, `${server.url}#token=${TOKEN}`, {
    requests,
    pageErrors,
    timeoutMs: WAIT_MS,
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("viewer layers, search and level of detail", () => {
  it("starts with every sensor drawn as a point", async () => {
    expect(await page.evaluate(() => window.__citytwin?.error)).toBeUndefined();
    expect(await layers<string>("lod()")).toBe("points");
    expect(await layers<number>("visibleSensors()")).toBe(city.sensors.length);
    expect(await layers<string[]>("hidden()")).toEqual([]);
  });

  it(
    "the gas toggle hides gas sensors and the gas network, and shows them again",
    { timeout: 120_000 },
    async () => {
      const gas = city.sensors.filter((s) => s.domain === "gas");
      const water = city.sensors.find((s) => s.domain === "water")!;
      expect(gas.length).toBeGreaterThan(0);
      expect(await layers<boolean>(`domainShown("gas")`)).toBe(true);
      await page.click("[data-testid=layer-gas]");
      await expect.poll(() => layers<string[]>("hidden()")).toEqual(["domain:gas"]);
      expect(await layers<number>("visibleSensors()")).toBe(city.sensors.length - gas.length);
      expect(await layers<boolean>(`shown(${JSON.stringify(gas[0]!.id)})`)).toBe(false);
      expect(await layers<boolean>(`shown(${JSON.stringify(water.id)})`)).toBe(true);
      expect(await layers<boolean>(`domainShown("gas")`)).toBe(false);
      expect(await layers<boolean>(`domainShown("water")`)).toBe(true);
      // The underground toggle does not bring the hidden gas network back.
      await page.click("[data-testid=underground]");
      await page.click("[data-testid=underground]");
      expect(await layers<boolean>(`domainShown("gas")`)).toBe(false);
      expect(await layers<boolean>(`domainShown("water")`)).toBe(true);
      await page.click("[data-testid=layer-gas]");
      await expect.poll(() => layers<string[]>("hidden()")).toEqual([]);
      expect(await layers<boolean>(`shown(${JSON.stringify(gas[0]!.id)})`)).toBe(true);
      expect(await layers<boolean>(`domainShown("gas")`)).toBe(true);
    },
  );

  it("street and district toggles hide the sensors of their assets", { timeout: 120_000 }, async () => {
    const hierarchyOf = (id: string) => city.assets.find((a) => a.id === id)!.hierarchy;
    const { district, street } = hierarchyOf(city.sensors[0]!.assetId);
    const onStreet = city.sensors.filter((s) => hierarchyOf(s.assetId).street === street);
    const offStreet = city.sensors.find((s) => hierarchyOf(s.assetId).street !== street)!;
    await page.click("[data-testid=areas]");
    await page.click(`[data-testid="street-${district}/${street}"]`);
    await expect.poll(() => layers<string[]>("hidden()")).toEqual([`street:${district}/${street}`]);
    expect(await layers<number>("visibleSensors()")).toBe(city.sensors.length - onStreet.length);
    expect(await layers<boolean>(`shown(${JSON.stringify(onStreet[0]!.id)})`)).toBe(false);
    expect(await layers<boolean>(`shown(${JSON.stringify(offStreet.id)})`)).toBe(true);
    await page.click(`[data-testid="street-${district}/${street}"]`);
    await page.click(`[data-testid="district-${district}"]`);
    await expect.poll(() => layers<string[]>("hidden()")).toEqual([`district:${district}`]);
    expect(await layers<number>("visibleSensors()")).toBe(0);
    await page.click(`[data-testid="district-${district}"]`);
    await page.click("[data-testid=areas]");
    expect(await layers<number>("visibleSensors()")).toBe(city.sensors.length);
  });

  it(
    "search by Chinese name: Enter flies to the asset and opens its detail",
    { timeout: 180_000 },
    async () => {
      const asset = city.assets.find((a) => a.type === "GVC")!;
      expect((await layers<string[]>(`search(${JSON.stringify(asset.nameZh)})`))[0]).toBe(asset.id);
      const before = await layers<number[]>("camera()");
      expect(metres(before, asset.position)).toBeGreaterThan(300);
      await page.fill("[data-testid=search]", asset.nameZh);
      await page.waitForSelector(`[data-testid=search-suggestions] li[data-id="${asset.id}"]`);
      await page.keyboard.press("Enter");
      await page.waitForSelector("#panel:not([hidden])", { timeout: WAIT_MS });
      const firstSensor = city.sensors.find((s) => s.assetId === asset.id)!;
      await expect.poll(() => page.textContent("#panel code"), { timeout: WAIT_MS }).toBe(firstSensor.id);
      // The camera flew there (250 m out at 45°: its ground point lies within ~300 m of the asset).
      await expect
        .poll(async () => metres(await layers<number[]>("camera()"), asset.position), { timeout: WAIT_MS })
        .toBeLessThan(300);
    },
  );

  it(
    "search by sensor id with the keyboard (↓ then Enter) selects that sensor",
    { timeout: 180_000 },
    async () => {
      const sensor = city.sensors.find((s) => s.kind === "ch4" && s.id.endsWith(".ch4"))!;
      await page.fill("[data-testid=search]", sensor.id);
      await page.waitForSelector(`[data-testid=search-suggestions] li[data-id="${sensor.id}"]`);
      const ids = await page.$$eval("[data-testid=search-suggestions] li", (lis) =>
        lis.map((li) => li.getAttribute("data-id")),
      );
      expect(ids[0]).toBe(sensor.id);
      // ↓ moves off the first hit when there are several; ↑ comes back to it.
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("Enter");
      await expect.poll(() => page.textContent("#panel code"), { timeout: WAIT_MS }).toBe(sensor.id);
      await page.fill("[data-testid=search]", "no-such-thing-xyz");
      await page.press("[data-testid=search]", "Escape");
    },
  );

  it(
    "zoomed far out the sensors fold into clusters (alarms stay); zooming in restores them",
    { timeout: 240_000 },
    async () => {
      const red = city.sensors.find((s) => s.kind === "ch4")!;
      server.broadcast({ type: "readings", r: [[red.id, Date.now(), 60, "good", "red"]] });
      await expect
        .poll(() => page.evaluate((id) => window.__citytwin?.levelOf(id), red.id), { timeout: WAIT_MS })
        .toBe("red");
      await wheelUntil(300, async () => (await layers<number[]>("camera()"))[2]! > 8000);
      await expect
        .poll(async () => (await layers<number[]>("camera()"))[2], { timeout: WAIT_MS })
        .toBeGreaterThan(6000);
      await expect.poll(() => layers<string>("lod()"), { timeout: WAIT_MS }).toBe("clusters");
      await expect.poll(() => layers<number>("clusters()"), { timeout: WAIT_MS }).toBeGreaterThan(1);
      const grids = new Set(city.assets.map((a) => a.hierarchy.grid));
      expect(await layers<number>("clusters()")).toBeLessThanOrEqual(grids.size);
      expect(await layers<boolean>(`shown(${JSON.stringify(red.id)})`)).toBe(true);
      const normal = city.sensors.find((s) => s.id !== red.id)!;
      expect(await layers<boolean>(`shown(${JSON.stringify(normal.id)})`)).toBe(false);
      expect(await layers<number>("visibleSensors()")).toBe(1);
      mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: join(OUT, "viewer-layers-clusters.png") });
      await wheelUntil(-300, async () => (await layers<number[]>("camera()"))[2]! < 3000);
      await expect.poll(() => layers<string>("lod()"), { timeout: WAIT_MS }).toBe("points");
      expect(await layers<number>("clusters()")).toBe(0);
      expect(await layers<number>("visibleSensors()")).toBe(city.sensors.length);
    },
  );

  it("a click on a cluster flies down into it and the points come back", { timeout: 240_000 }, async () => {
    await wheelUntil(300, async () => (await layers<number[]>("camera()"))[2]! > 8000);
    await expect.poll(() => layers<string>("lod()"), { timeout: WAIT_MS }).toBe("clusters");
    const at = await layers<{ x: number; y: number } | undefined>("clusterOnScreen()");
    if (at === undefined) throw new Error("no cluster on screen");
    await page.mouse.click(at.x, at.y);
    await expect.poll(() => layers<string>("lod()"), { timeout: WAIT_MS }).toBe("points");
    expect((await layers<number[]>("camera()"))[2]).toBeLessThan(5000);
  });

  it("renders the tools in Chinese and in English (screenshots)", { timeout: 120_000 }, async () => {
    await page.click("[data-testid=areas]");
    await page.screenshot({ path: join(OUT, "viewer-layers-zh.png") });
    expect(await page.textContent("#tools")).toContain("燃气");
    await page.click("[data-testid=areas]");
    await page.click("[data-testid=lang]");
    await expect.poll(() => page.textContent("[data-testid=layer-gas]")).toBe("Gas");
    const tools = (await page.textContent("#tools")) ?? "";
    expect(tools).not.toMatch(/[\u4e00-\u9fff]/);
    expect(await page.getAttribute("[data-testid=search]", "placeholder")).not.toMatch(/[\u4e00-\u9fff]/);
    await page.screenshot({ path: join(OUT, "viewer-layers-en.png") });
    await page.click("[data-testid=lang]");
  });

  it("made no request beyond localhost and raised no page error", () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !isLocalUrl(u))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
