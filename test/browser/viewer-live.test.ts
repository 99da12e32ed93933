/**
 * The viewer against the real platform (simulators → edge agents → gateway), in Debian's
 * Chromium: it loads fully offline, draws every sensor of the district, and a simulated gas leak
 * recolours the chamber's methane sensor once it crosses its threshold. Saves a screenshot.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEVEL_LABELS, type CityModel } from "@citytwin/model";
import type { Platform } from "../../simulators/src/demo/launch";
import { buildViewer } from "../../simulators/src/demo/viewer-build";
import { isLocalUrl, launchChromium } from "../support/browser";
import { openViewer, startDemoPlatform } from "../support/viewer-harness";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const LEAKING = "340111-GVC-00003-D01.ch4";
const WAIT_MS = 120_000;

let platform: Platform;
let city: CityModel;
let browser: Browser;
let page: Page;
const requests: string[] = [];
const pageErrors: string[] = [];

const colorOf = (id: string) => page.evaluate((sid) => window.__citytwin?.colorOf(sid), id);

beforeAll(async () => {
  buildViewer(ROOT);
  ({ platform, city } = await startDemoPlatform("viewer-live", {
    scenario: join(ROOT, "test/fixtures/viewer-gas-leak.yaml"),
  }));
  browser = await launchChromium();
  page = await openViewer(browser, platform.viewerUrl, {
    requests,
    pageErrors,
    viewport: { width: 1440, height: 900 },
    timeoutMs: WAIT_MS,
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe("twin viewer on the live platform", () => {
  it("draws exactly the district's sensors", async () => {
    expect(await page.evaluate(() => window.__citytwin?.error)).toBeUndefined();
    expect(await page.evaluate(() => window.__citytwin?.sensorCount)).toBe(city.sensors.length);
    expect(city.sensors.some((s) => s.id === LEAKING)).toBe(true);
  });

  it("recolours the chamber's methane sensor when the simulated leak crosses its threshold", async () => {
    expect(await colorOf(LEAKING)).toBe(LEVEL_LABELS.normal.css);
    const alarmed = [LEVEL_LABELS.orange.css, LEVEL_LABELS.red.css];
    await expect
      .poll(() => colorOf(LEAKING), { timeout: WAIT_MS, interval: 1000 })
      .toSatisfy((c) => alarmed.includes(String(c)));
    const level = await page.evaluate((id) => window.__citytwin?.levelOf(id), LEAKING);
    expect(["orange", "red"]).toContain(level);
    // The gateway agrees: the methane reading it serves is at or above the orange bound (25 %LEL).
    const headers = { authorization: `Bearer ${platform.operatorTokens.viewer}` };
    const latest = (await (await fetch(`${platform.url}api/latest`, { headers })).json()) as {
      readings: { sensorId: string; value: number }[];
    };
    expect(latest.readings.find((r) => r.sensorId === LEAKING)?.value).toBeGreaterThanOrEqual(25);
    mkdirSync(join(ROOT, "test-output"), { recursive: true });
    await page.evaluate((id) => window.__citytwin?.select(id), LEAKING);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(ROOT, "test-output", "viewer-live-gas-leak.png") });
  });

  it("shows no Chinese anywhere on the English screen (UI strings and the model's names)", async () => {
    await page.click("[data-testid=lang]");
    try {
      await page.evaluate((id) => window.__citytwin?.select(id), LEAKING);
      await page.waitForTimeout(1500);
      // Every rendered text node outside the language button (which offers 中文 by design).
      const chinese = await page.evaluate(() => {
        const found: string[] = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
          const el = n.parentElement;
          if (el === null || el.closest("[data-testid=lang]") !== null) continue;
          if (el.getClientRects().length === 0 || getComputedStyle(el).visibility === "hidden") continue;
          if (/[\u3400-\u9fff]/.test(n.textContent ?? "")) found.push((n.textContent ?? "").trim());
        }
        return found;
      });
      expect(await page.textContent("#panel")).toContain(LEAKING);
      expect(chinese).toEqual([]);
      await page.screenshot({ path: join(ROOT, "test-output", "viewer-live-en.png") });
    } finally {
      await page.click("[data-testid=lang]");
    }
  });

  it("shows the login state to a browser without a token (the gateway answers 401)", async () => {
    const anonymous = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await anonymous.goto(platform.url, { waitUntil: "domcontentloaded", timeout: 90_000 }); // busy 2-core CI
      await anonymous.waitForFunction(() => window.__citytwin?.auth ?? window.__citytwin?.ready, null, {
        timeout: WAIT_MS,
      });
      expect(await anonymous.evaluate(() => window.__citytwin?.auth)).toBe("missing");
      expect(await anonymous.isVisible("[data-testid=login]")).toBe(true);
      expect((await fetch(`${platform.url}api/city`)).status).toBe(401);
    } finally {
      await anonymous.close();
    }
  });

  it("made no request beyond localhost and raised no page error", () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !isLocalUrl(u))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
