/**
 * The viewer against the real platform (simulators → edge agents → gateway), in Debian's
 * Chromium: it loads fully offline, draws every sensor of the district, and a simulated gas leak
 * recolours the chamber's methane sensor once it crosses its threshold. Saves a screenshot.
 */
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEVEL_LABELS, cityModelSchema, type CityModel } from "@citytwin/model";
import { launchPlatform, type Platform } from "../../simulators/src/demo/launch";
import { buildViewer } from "../../simulators/src/demo/viewer-build";
import { isLocalUrl, launchChromium } from "../support/browser";
import { freePortBlock, freePorts } from "../support/free-port";

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
  const [mqttPort, httpPort, opcuaPort, fieldBrokerPort] = await freePorts(4);
  const modbusPort = await freePortBlock(4); // one port per gateway, counting up
  platform = await launchPlatform({
    runtimeDir: mkdtempSync(join(tmpdir(), "citytwin-viewer-live-")),
    seed: 42,
    scale: 1,
    scenario: join(ROOT, "test/fixtures/viewer-gas-leak.yaml"),
    host: "127.0.0.1",
    mqttPort: mqttPort!,
    httpPort: httpPort!,
    modbusPort,
    opcuaPort: opcuaPort!,
    fieldBrokerPort: fieldBrokerPort!,
    logLevel: "info",
  });
  city = cityModelSchema.parse(JSON.parse(readFileSync(platform.cityFile, "utf8")));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on("request", (req) => requests.push(req.url()));
  page.on("pageerror", (err) => pageErrors.push(err.message));
  await page.goto(platform.viewerUrl);
  await page.waitForFunction(
    () => window.__citytwin?.ready === true || window.__citytwin?.error !== undefined,
    null,
    {
      timeout: WAIT_MS,
    },
  );
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
