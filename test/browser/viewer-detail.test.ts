/**
 * The asset detail panel on the real platform (simulators → edge agents → gateway → InfluxDB 1.x)
 * in Debian's Chromium: the history chart holds exactly the points InfluxDB holds for the sensor
 * and range, with the kind's thresholds drawn; the bridge and smart-pole three.js views render
 * (non-background pixels, one marker per sensor); the language switch re-renders the panel.
 * Saves zh and en screenshots of both views.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEVEL_LABELS, type Asset, type CityModel } from "@citytwin/model";
import type { Platform } from "../../simulators/src/demo/launch";
import { buildViewer } from "../../simulators/src/demo/viewer-build";
import { isLocalUrl, launchChromium } from "../support/browser";
import { openViewer, startDemoPlatform } from "../support/viewer-harness";
import { createDatabase, querySeries, startInfluxd, type Influxd } from "../support/influxd";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "test-output");
const DB = "citytwin_viewer_detail";
const WAIT_MS = 120_000;
/** InfluxDB writes lag the readings by the writer's flush (1 s) and batching: older points are settled. */
const SETTLED_MS = 15_000;
const CJK = /[\u3400-\u9fff]/;

interface ChartProbe {
  points: number;
  lastTs?: number;
  timestamps: number[];
  values: (number | null)[];
  thresholds: number[];
  thresholdRows: number[];
  source?: string;
  from: number;
  to: number;
  loading: boolean;
}
interface View3dProbe {
  kind: string;
  renders: number;
  meshes: number;
  sensorsShown: number;
}
interface DetailProbe {
  assetId?: string;
  sensorId?: string;
  chart(): ChartProbe | undefined;
  view3d(): View3dProbe | undefined;
}

let influx: Influxd;
let platform: Platform;
let city: CityModel;
let browser: Browser;
let page: Page;
const requests: string[] = [];
const pageErrors: string[] = [];

const detail = () => page.evaluate(() => window.__citytwin?.features.detail as DetailProbe | undefined);
const chart = () =>
  page.evaluate(() => (window.__citytwin?.features.detail as DetailProbe | undefined)?.chart());
const view3d = () =>
  page.evaluate(() => (window.__citytwin?.features.detail as DetailProbe | undefined)?.view3d());
const select = (sensorId: string) => page.evaluate((id) => window.__citytwin?.select(id), sensorId);

/** Share of the 3D canvas's pixels that differ clearly from the clear colour (#0b1322). */
function nonBackgroundShare(): Promise<number> {
  return page.evaluate(() => {
    const src = document.querySelector<HTMLCanvasElement>("#panel [data-testid=detail-3d]");
    if (src === null) return -1;
    const copy = document.createElement("canvas");
    copy.width = src.width;
    copy.height = src.height;
    const g = copy.getContext("2d")!;
    g.drawImage(src, 0, 0);
    const px = g.getImageData(0, 0, copy.width, copy.height).data;
    let differ = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (Math.abs(px[i]! - 0x0b) + Math.abs(px[i + 1]! - 0x13) + Math.abs(px[i + 2]! - 0x22) > 40) differ++;
    }
    return differ / (px.length / 4);
  });
}

/** The panel's text with the asset-provided data (names, hierarchy, owner) taken out. */
async function panelChrome(asset: Asset): Promise<string> {
  let text = (await page.textContent("#panel")) ?? "";
  const data = [asset.name, asset.nameZh, ...Object.values(asset.hierarchy), ...Object.values(asset.owner)];
  for (const d of data.sort((a, b) => b.length - a.length)) text = text.split(d).join("");
  return text;
}

async function setLang(next: "zh" | "en"): Promise<void> {
  const now = await page.evaluate(() => document.documentElement.lang);
  if (now.startsWith(next)) return;
  await page.click("[data-testid=lang]");
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toContain(next);
}

/** Focuses an asset, checks its 3D view, takes zh and en screenshots and the English text. */
async function checkView(asset: Asset, kind: "bridge" | "pole"): Promise<void> {
  const sensors = city.sensors.filter((s) => s.assetId === asset.id);
  expect(await select(sensors[0]!.id)).toBe(true);
  await expect.poll(async () => (await detail())?.assetId, { timeout: WAIT_MS }).toBe(asset.id);
  await expect.poll(async () => (await view3d())?.renders ?? 0, { timeout: WAIT_MS }).toBeGreaterThan(0);
  const v = await view3d();
  expect(v?.kind).toBe(kind);
  expect(v?.meshes).toBeGreaterThan(sensors.length);
  expect(v?.sensorsShown).toBe(sensors.length);
  // The model covers a fair part of the canvas (river/ground plane, deck or pole, markers).
  await expect.poll(nonBackgroundShare, { timeout: WAIT_MS }).toBeGreaterThan(0.05);
  console.info(
    `${kind}: ${JSON.stringify(await view3d())}, non-background ${(await nonBackgroundShare()).toFixed(2)}`,
  );
  // One row per device, with its gateway's state from GET /api/gateways.
  const devices = city.devices.filter((d) => d.assetId === asset.id);
  expect(await page.locator("#panel [data-testid=device-list] li").count()).toBe(devices.length);
  await expect
    .poll(() => page.textContent("#panel [data-testid=device-list]"), { timeout: WAIT_MS })
    .toContain("网关在线");
  const panel = (await page.textContent("#panel")) ?? "";
  expect(panel).toContain(asset.nameZh);
  expect(panel).toContain(asset.owner.org);
  expect(panel).toContain(asset.owner.phone);
  await page.waitForTimeout(1000);
  await page.screenshot({ path: join(OUT, `viewer-detail-${kind}-zh.png`) });

  await setLang("en");
  await expect.poll(() => page.textContent("#panel [data-testid=asset-name]")).toBe(asset.name);
  const chrome = await panelChrome(asset);
  expect(chrome).toContain("Devices");
  expect(chrome.match(CJK)).toBeNull();
  await page.waitForTimeout(1000);
  await page.screenshot({ path: join(OUT, `viewer-detail-${kind}-en.png`) });
  await setLang("zh");
  await expect.poll(() => page.textContent("#panel [data-testid=asset-name]")).toBe(asset.nameZh);
}

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true });
  buildViewer(ROOT);
  influx = await startInfluxd();
  await createDatabase(influx.url, DB);
  ({ platform, city } = await startDemoPlatform("viewer-detail", {
    influx: { v1: { url: influx.url, database: DB } },
  }));
  browser = await launchChromium();
  page = await openViewer(browser, platform.viewerUrl, { requests, pageErrors, timeoutMs: WAIT_MS });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
  await influx?.stop();
});

describe("asset detail panel on the live platform with InfluxDB", () => {
  it("the history chart shows the points that were written", { timeout: 400_000 }, async () => {
    expect(await page.evaluate(() => window.__citytwin?.error)).toBeUndefined();
    const bridge = city.assets.find((a) => a.type === "BRG")!;
    const sensor = city.sensors.find((s) => s.assetId === bridge.id && s.kind === "strain")!;
    // Let InfluxDB collect some history first.
    await expect
      .poll(
        async () =>
          (
            await querySeries(
              influx.url,
              DB,
              `SELECT count("value") FROM "${sensor.domain}" WHERE "sensor" = '${sensor.id}'`,
            )
          )[0]?.values[0]?.[1] ?? 0,
        { timeout: 240_000, interval: 1000 },
      )
      .toBeGreaterThan(60);
    expect(await select(sensor.id)).toBe(true);
    await expect.poll(async () => (await detail())?.sensorId, { timeout: WAIT_MS }).toBe(sensor.id);
    // Choose a range: 1 h, then back to 15 min (each click reloads from the gateway).
    await page.click("#panel [data-range='60']");
    const span = async () => {
      const c = await chart();
      return c === undefined ? 0 : c.to - c.from;
    };
    await expect.poll(span, { timeout: WAIT_MS }).toBe(3_600_000);
    await page.click("#panel [data-range='15']");
    await expect
      .poll(
        async () => {
          const c = await chart();
          return c !== undefined && !c.loading && c.to - c.from === 900_000 && c.points > 0;
        },
        { timeout: WAIT_MS },
      )
      .toBe(true);
    await page.waitForTimeout(2000); // a few live points get appended after the load
    const c = (await chart())!;
    expect(c.source).toBe("influxdb");
    const until = c.to - SETTLED_MS;
    const series = await querySeries(
      influx.url,
      DB,
      `SELECT "value" FROM "${sensor.domain}" WHERE "sensor" = '${sensor.id}' AND time >= ${c.from}ms AND time <= ${until}ms ORDER BY time ASC`,
    );
    const written = (series[0]?.values ?? []).map((row) => [Number(row[0]), row[1] as number | null]);
    expect(written.length).toBeGreaterThanOrEqual(10);
    const drawn = c.timestamps
      .map((ts, i) => [ts, c.values[i]])
      .filter(([ts]) => ts! >= c.from && ts! <= until);
    expect(drawn).toEqual(written);
    console.info(`history: ${written.length} InfluxDB points equal the chart's (of ${c.points} drawn)`);
    // The strain thresholds (blue 300 … red 600 µε) are drawn as dashed lines in their colours.
    expect(c.thresholds).toEqual([300, 400, 500, 600]);
    const colours = ["blue", "yellow", "orange", "red"].map((l) => LEVEL_LABELS[l as "red"].css);
    const hits = await page.evaluate(
      ({ rows, colours }) => {
        const canvas = document.querySelector<HTMLCanvasElement>("#panel [data-testid=history] canvas")!;
        const g = canvas.getContext("2d")!;
        return rows.map((y, i) => {
          const want = [1, 3, 5].map((k) => parseInt(colours[i]!.slice(k, k + 2), 16));
          const px = g.getImageData(0, y, canvas.width, 1).data;
          let n = 0;
          for (let x = 0; x < px.length; x += 4)
            if (
              Math.abs(px[x]! - want[0]!) +
                Math.abs(px[x + 1]! - want[1]!) +
                Math.abs(px[x + 2]! - want[2]!) <
              30
            )
              n++;
          return n;
        });
      },
      { rows: c.thresholdRows, colours },
    );
    for (const n of hits) expect(n).toBeGreaterThan(20);
    expect(await page.textContent("#panel [data-testid=history-source]")).toBe("来源：InfluxDB");
    // Live mode: readings that arrive after the load are appended.
    await expect.poll(async () => (await chart())?.lastTs ?? 0, { timeout: WAIT_MS }).toBeGreaterThan(c.to);
  });

  it("renders the bridge detail view in three.js", async () => {
    await checkView(
      city.assets.find((a) => a.type === "BRG")!,
      "bridge",
    );
  });

  it("renders the smart-pole detail view in three.js", async () => {
    // The pole with the most sensors shows the most device mounts.
    const count = (a: Asset) => city.sensors.filter((s) => s.assetId === a.id).length;
    const poles = city.assets.filter((a) => a.type === "SPL").sort((a, b) => count(b) - count(a));
    await checkView(poles[0]!, "pole");
  });

  it("closes the panel and frees the 3D view", async () => {
    await page.click("#panel [data-testid=detail-close]");
    await expect.poll(() => page.isHidden("#panel")).toBe(true);
    expect(await view3d()).toBeUndefined();
    expect(await page.$("[data-testid=detail-3d]")).toBeNull();
  });

  it("made no request beyond localhost and raised no page error", () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !isLocalUrl(u))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
