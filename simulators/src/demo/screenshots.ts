/**
 * The operations screens for the docs (`npm run docs:screenshots`): runs the demo platform with
 * the demo scenario (gas leak at 20 s, waterlogging at 60 s, bridge overload at 90 s), opens the
 * viewer in Debian's Chromium (SwiftShader, 1440×900) and saves each screen in zh-CN and en to
 * docs/screenshots/: the city with the alarm panel, an asset's detail with its history chart,
 * the bridge's three.js view, replay, and the underground networks.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { launchChromium } from "../../../test/support/browser";
import { startDemoPlatform } from "../../../test/support/viewer-harness";
import { buildViewer } from "./viewer-build";

const REPO = resolve(import.meta.dirname, "../../..");
const OUT = join(REPO, "docs", "screenshots");
const GAS = "340111-GVC-00003";
const BRIDGE = "340111-BRG-00001";
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

async function settle(page: Page, ms = 1500): Promise<void> {
  await page.waitForTimeout(ms);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Selects the asset's first device's sensor of `key` (ids: `<asset>-D01.<key>`), as a click would. */
async function selectSensor(page: Page, assetId: string, key: string): Promise<void> {
  const id = `${assetId}-D01.${key}`;
  if (!(await page.evaluate((sid) => window.__citytwin?.select(sid) === true, id)))
    throw new Error(`no sensor ${id}`);
}

async function shoot(page: Page, name: string, lang: "zh" | "en"): Promise<void> {
  const file = join(OUT, `${name}-${lang === "zh" ? "zh-CN" : "en"}.png`);
  await page.screenshot({ path: file });
  log(`saved ${file}`);
}

async function setLang(page: Page, lang: "zh" | "en"): Promise<void> {
  const now = await page.evaluate(() => document.documentElement.lang);
  if ((now === "zh-CN") !== (lang === "zh")) await page.click("[data-testid=lang]");
  await settle(page, 500);
}

async function main(): Promise<void> {
  buildViewer(REPO);
  mkdirSync(OUT, { recursive: true });
  log("starting the demo platform (demo scenario)");
  const { platform } = await startDemoPlatform("screens", {
    scenario: join(REPO, "simulators/scenarios/demo.yaml"),
  });
  const started = Date.now();
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // Full resolution even on software WebGL (the viewer halves it there by default).
    const url = new URL(platform.viewerUrl);
    url.searchParams.set("quality", "full");
    await page.goto(url.href);
    await page.waitForFunction(() => window.__citytwin?.ready === true, null, { timeout: 180_000 });
    const wait = 100_000 - (Date.now() - started);
    log(`viewer ready; waiting ${Math.round(wait / 1000)} s for the scenario's incidents`);
    if (wait > 0) await page.waitForTimeout(wait);
    for (const lang of ["zh", "en"] as const) {
      await setLang(page, lang);
      await page.evaluate(() => window.__citytwin?.select(undefined));
      await settle(page);
      await shoot(page, "operations", lang);
      await selectSensor(page, GAS, "ch4");
      await settle(page, 3000);
      await shoot(page, "asset-detail", lang);
      await selectSensor(page, BRIDGE, "strain_1");
      await settle(page, 3000);
      await shoot(page, "bridge-3d", lang);
      await page.click("[data-testid=step-back]");
      await page.click("[data-testid=step-back]");
      await settle(page, 3000);
      await shoot(page, "replay", lang);
      await page.click("[data-testid=back-to-live]");
      await page.evaluate(() => window.__citytwin?.select(undefined));
      await page.click("[data-testid=underground]");
      await settle(page, 2000);
      await shoot(page, "underground", lang);
      await page.click("[data-testid=underground]");
    }
  } finally {
    await browser.close();
    await platform.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
