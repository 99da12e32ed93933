/**
 * Time and trust in the twin viewer against the real platform (simulators → edge agents →
 * gateway), in Debian's Chromium. A simulated gas leak turns a chamber's methane sensor red;
 * replaying to an instant before the leak draws it normal again (REPLAY badge), back to live
 * draws it red. An edge agent killed: its sensors get the stale look within 3× their interval.
 * The gateway killed and restarted: the status bar says disconnected (not-live banner, growing
 * data age), then LIVE again with fresh readings. Screenshots in zh and en while replaying.
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
const OUT = join(ROOT, "test-output");
const LEAKING = "340111-GVC-00003-D01.ch4";
const WAIT_MS = 120_000;

let platform: Platform;
let city: CityModel;
let browser: Browser;
let page: Page;
/** An instant at which the leaking sensor was seen normal (before the leak). */
let normalAt = 0;
const requests: string[] = [];
const pageErrors: string[] = [];

const colorOf = (id: string) => page.evaluate((sid) => window.__citytwin?.colorOf(sid), id);
const probe = <T>(expr: string): Promise<T> =>
  page.evaluate(`window.__citytwin.features.${expr}`) as Promise<T>;
const text = async (selector: string) => (await page.textContent(selector)) ?? "";
const dataAgeMs = async () => Number(await page.getAttribute("[data-testid=data-age]", "data-ms"));
const alarmed = [LEVEL_LABELS.orange.css, LEVEL_LABELS.red.css];

/** Moves the replay slider as a drag would (input events). */
async function slideTo(at: number): Promise<void> {
  await page.$eval(
    "[data-testid=timeline-slider]",
    (el, value) => {
      const input = el as HTMLInputElement;
      input.value = String(value);
      input.dispatchEvent(new Event("input"));
    },
    at,
  );
}

beforeAll(async () => {
  buildViewer(ROOT);
  ({ platform, city } = await startDemoPlatform("viewer-time", {
    scenario: join(ROOT, "test/fixtures/viewer-gas-leak.yaml"),
  }));
  browser = await launchChromium();
  page = await openViewer(browser, platform.viewerUrl, { requests, pageErrors, timeoutMs: WAIT_MS });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

describe("viewer time: replay, staleness, reconnect", () => {
  it("shows LIVE and the leaking sensor normal before the leak", { timeout: 240_000 }, async () => {
    expect(await page.evaluate(() => window.__citytwin?.error)).toBeUndefined();
    await expect.poll(() => text("[data-testid=connection]"), { timeout: WAIT_MS }).toBe("实时");
    await expect.poll(() => colorOf(LEAKING), { timeout: WAIT_MS }).toBe(LEVEL_LABELS.normal.css);
    normalAt = Date.now() - 1000;
    expect(await probe<string>("timeline.mode()")).toBe("live");
    expect(await text("[data-testid=mode-badge]")).toBe("实时");
    await expect.poll(dataAgeMs, { timeout: WAIT_MS }).toBeLessThan(10_000);
  });

  it("Replay changes colours to the historical state", { timeout: 240_000 }, async () => {
    await expect
      .poll(() => colorOf(LEAKING), { timeout: WAIT_MS, interval: 1000 })
      .toSatisfy((c) => alarmed.includes(String(c)));
    const liveColor = await colorOf(LEAKING);
    // A drag: 20 slider moves within ~0.5 s cost at most 4 snapshot requests per second (+1 at the end).
    const replayRequests = () => requests.filter((u) => u.includes("/api/replay?")).length;
    const before = replayRequests();
    const dragStart = Date.now();
    await page.$eval(
      "[data-testid=timeline-slider]",
      async (el, end) => {
        const input = el as HTMLInputElement;
        for (let k = 0; k < 20; k++) {
          input.value = String(end - (20 - k) * 10_000);
          input.dispatchEvent(new Event("input"));
          await new Promise((r) => setTimeout(r, 25));
        }
      },
      normalAt,
    );
    const dragS = (Date.now() - dragStart) / 1000;
    await slideTo(normalAt);
    await page.waitForTimeout(600);
    console.log(`drag: 20 moves in ${dragS.toFixed(2)} s → ${replayRequests() - before} snapshot requests`);
    expect(replayRequests() - before).toBeGreaterThan(0);
    expect(replayRequests() - before).toBeLessThanOrEqual(Math.ceil(dragS + 0.6) * 4 + 1);
    await expect.poll(() => probe<string>("timeline.mode()")).toBe("replay");
    await expect
      .poll(() => probe<{ at: number } | undefined>("timeline.lastSnapshot()"), { timeout: WAIT_MS })
      .toMatchObject({ at: normalAt, source: "hot" });
    expect(await probe<number>("timeline.at()")).toBe(normalAt);
    await expect.poll(() => colorOf(LEAKING), { timeout: WAIT_MS }).toBe(LEVEL_LABELS.normal.css);
    expect(await page.evaluate((id) => window.__citytwin?.levelOf(id), LEAKING)).toBe("normal");
    expect(await text("[data-testid=mode-badge]")).toBe("回放");
    expect(await text("[data-testid=connection]")).toBe("回放");
    expect(await text("[data-testid=connection]")).not.toContain("实时");
    // Live readings keep arriving meanwhile; the replayed point does not move with them.
    await page.waitForTimeout(2500);
    expect(await colorOf(LEAKING)).toBe(LEVEL_LABELS.normal.css);

    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, "viewer-time-replay-zh.png") });
    await page.click("[data-testid=lang]");
    await expect.poll(() => text("[data-testid=mode-badge]")).toBe("REPLAY");
    expect(await text("[data-testid=connection]")).toBe("REPLAY");
    expect(await text("#timeline")).not.toMatch(/[\u4e00-\u9fff]/);
    expect(await text("#statusbar")).not.toMatch(/[\u4e00-\u9fff]/);
    await page.screenshot({ path: join(OUT, "viewer-time-replay-en.png") });
    await page.click("[data-testid=lang]");

    await page.click("[data-testid=back-to-live]");
    await expect.poll(() => probe<string>("timeline.mode()")).toBe("live");
    await expect
      .poll(() => colorOf(LEAKING), { timeout: WAIT_MS })
      .toSatisfy((c) => alarmed.includes(String(c)));
    expect(alarmed).toContain(liveColor);
    expect(await text("[data-testid=mode-badge]")).toBe("实时");
  });

  it(
    "an edge agent killed: its sensors get the stale look within 3× their interval",
    { timeout: 240_000 },
    async () => {
      const devices = new Map(city.devices.map((d) => [d.id, d]));
      const sensor = city.sensors.find(
        (s) => s.kind !== "ch4" && devices.get(s.deviceId)?.intervalMs === 1000,
      )!;
      const device = devices.get(sensor.deviceId)!;
      const before = await colorOf(sensor.id);
      expect(await probe<boolean>(`layers.stale(${JSON.stringify(sensor.id)})`)).toBe(false);
      const restarting = platform.restartEdge(device.gatewayId, { signal: "SIGKILL", downMs: 15_000 });
      const killedAt = Date.now();
      await expect
        .poll(() => probe<boolean>(`layers.stale(${JSON.stringify(sensor.id)})`), {
          timeout: 3 * device.intervalMs + 10_000,
          interval: 250,
        })
        .toBe(true);
      const staleAfterMs = Date.now() - killedAt;
      expect(await colorOf(sensor.id)).not.toBe(before);
      console.log(`stale look after ${staleAfterMs} ms (interval ${device.intervalMs} ms)`);
      await restarting;
      await expect
        .poll(() => probe<boolean>(`layers.stale(${JSON.stringify(sensor.id)})`), { timeout: WAIT_MS })
        .toBe(false);
    },
  );

  it(
    "Killing and restarting the gateway shows 'disconnected', then recovers",
    { timeout: 240_000 },
    async () => {
      const restarting = platform.restartGateway({ signal: "SIGKILL", downMs: 5000 });
      await expect
        .poll(() => text("[data-testid=connection]"), { timeout: WAIT_MS, interval: 250 })
        .toBe("已断开");
      expect(await page.isVisible("[data-testid=not-live]")).toBe(true);
      expect(await text("[data-testid=not-live]")).toBe("数据非实时");
      expect(await text("[data-testid=mode-badge]")).toBe("非实时");
      await expect.poll(() => text("[data-testid=reconnect-in]")).toMatch(/秒后重连|正在重连/);
      const ageDown = await dataAgeMs();
      await page.waitForTimeout(2500);
      expect(await dataAgeMs()).toBeGreaterThan(ageDown);
      await page.screenshot({ path: join(OUT, "viewer-time-disconnected.png") });
      await restarting;
      const tsBefore = await probe<number>(`layers.ts(${JSON.stringify(LEAKING)})`);
      await expect.poll(() => text("[data-testid=connection]"), { timeout: WAIT_MS }).toBe("实时");
      expect(await page.isVisible("[data-testid=not-live]")).toBe(false);
      await expect.poll(dataAgeMs, { timeout: WAIT_MS }).toBeLessThan(10_000);
      await expect
        .poll(() => probe<number>(`layers.ts(${JSON.stringify(LEAKING)})`), { timeout: WAIT_MS })
        .toBeGreaterThan(tsBefore);
    },
  );

  it("made no request beyond localhost and raised no page error", () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !isLocalUrl(u))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
