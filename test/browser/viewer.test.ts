/**
 * The twin viewer in a real browser (Debian chromium, WebGL through SwiftShader) against a
 * stand-in API server: it must load fully offline, draw one point per sensor, recolour a sensor
 * when a live frame raises its level, inspect a clicked sensor and survive a dropped socket.
 * The stand-in requires a token like a secure-mode gateway: the viewer gets it from the URL
 * fragment; without one it must show the login state, and the login form must let it in.
 * Waits are generous: software WebGL is slow. A screenshot lands in test-output/viewer.png.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEVEL_LABELS, cityModelSchema, type CityModel, type Level } from "@citytwin/model";
import { startStaticApiServer, type StaticApiServer } from "../support/static-api-server";
import { generateCity } from "@citytwin/simulators";
import { isLocalUrl, launchChromium } from "../support/browser";
import { engineLatest, openViewer } from "../support/viewer-harness";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "test-output");
const WAIT_MS = 90_000;
const TOKEN = "ops-wall.viewer-test-secret";

/** Broadcasts a fresh reading for `sensorId` every 500 ms until stopped (a device that keeps reporting). */
function keepReporting(
  server: StaticApiServer,
  sensorId: string,
  value: number,
  level: Level,
): { stop(): void } {
  const send = () =>
    server.broadcast({ type: "readings", r: [[sensorId, Date.now(), value, "good", level]] });
  send();
  const timer = setInterval(send, 500);
  return { stop: () => clearInterval(timer) };
}

const hooks = <T>(page: Page, fn: (h: NonNullable<Window["__citytwin"]>) => T): Promise<T> =>
  page.evaluate(`(${fn.toString()})(window.__citytwin)`) as Promise<T>;

describe("twin viewer", () => {
  let city: CityModel;
  let server: StaticApiServer;
  let browser: Browser;
  let page: Page;
  /** The gas sensor the tests raise to red. */
  let target: CityModel["sensors"][number];
  const requests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    execFileSync("npm", ["run", "build", "-w", "twin-viewer"], { cwd: ROOT, stdio: "pipe" });
    city = cityModelSchema.parse(generateCity({ seed: 42 }));
    const ch4 = city.sensors.find((s) => s.kind === "ch4");
    if (ch4 === undefined) throw new Error("test city has no ch4 sensor");
    target = ch4;
    server = await startStaticApiServer({
      staticDir: join(ROOT, "twin-viewer", "dist"),
      city,
      latest: engineLatest(city),
      token: TOKEN,
      forbiddenToken: "nobody.no-role",
      history: (sensorId) => ({
        sensorId,
        source: "hot",
        points: Array.from({ length: 60 }, (_, i) => [
          Date.now() - (60 - i) * 60_000,
          2 + Math.sin(i / 5),
          "good",
        ]),
      }),
    });
    browser = await launchChromium();
    page = await openViewer(browser, `${server.url}#token=${TOKEN}`, {
      requests,
      pageErrors,
      viewport: { width: 1440, height: 900 },
      timeoutMs: WAIT_MS,
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("takes the token from the fragment into session storage and off the address bar", async () => {
    expect(page.url()).toBe(server.url);
    expect(await page.evaluate(() => sessionStorage.getItem("citytwin.token"))).toBe(TOKEN);
    expect(await page.isVisible("[data-testid=login]")).toBe(false);
    expect(await page.isVisible("[data-testid=demo-mode]")).toBe(false);
  });

  it("starts without errors and draws one point per sensor", async () => {
    expect(await hooks(page, (h) => h.error)).toBeUndefined();
    expect(pageErrors).toEqual([]);
    expect(await hooks(page, (h) => h.sensorCount)).toBe(city.sensors.length);
    await expect
      .poll(() => page.textContent("[data-testid=sensor-count]"))
      .toBe(city.sensors.length.toLocaleString("en-US"));
  });

  it("recolours a gas sensor from normal to red when a live frame raises it", async () => {
    const colorOf = () => page.evaluate((id) => window.__citytwin?.colorOf(id), target.id);
    await server.waitForLiveClients(1, WAIT_MS);
    await expect
      .poll(() => page.textContent("[data-testid=connection]"), { timeout: WAIT_MS })
      .toMatch(/实时|LIVE/);
    // The device keeps reporting, as a real one does (a reading older than 3× its interval is
    // drawn stale): first a normal methane level, then a red one.
    const normal = keepReporting(server, target.id, 2, "normal");
    await expect.poll(colorOf, { timeout: WAIT_MS }).toBe(LEVEL_LABELS.normal.css);
    normal.stop();
    const red = keepReporting(server, target.id, 55, "red");
    try {
      await expect.poll(colorOf, { timeout: WAIT_MS }).toBe(LEVEL_LABELS.red.css);
      expect(await page.evaluate((id) => window.__citytwin?.levelOf(id), target.id)).toBe("red");

      // Its gateway drops off: grey; back online: red again.
      const gatewayId = city.devices.find((d) => d.id === target.deviceId)?.gatewayId ?? "";
      server.broadcast({ type: "gateway", gatewayId, state: "offline", ts: Date.now() });
      await expect.poll(colorOf, { timeout: WAIT_MS }).not.toBe(LEVEL_LABELS.red.css);
      server.broadcast({ type: "gateway", gatewayId, state: "online", ts: Date.now() });
      await expect.poll(colorOf, { timeout: WAIT_MS }).toBe(LEVEL_LABELS.red.css);
    } finally {
      red.stop();
    }
  });

  it("opens the inspector for a clicked sensor", async () => {
    // Click a sensor clear of the bars and the panels: the globe's canvas must be under the cursor.
    const ids = [target.id, ...city.sensors.map((s) => s.id)];
    const pos = await page.evaluate((list) => {
      for (const id of list) {
        const p = window.__citytwin?.screenPositionOf(id);
        if (p === undefined || p.x < 40 || p.y < 100) continue;
        if (document.elementFromPoint(p.x, p.y)?.closest("#cesium") !== null) return p;
      }
      return undefined;
    }, ids);
    if (pos === undefined) throw new Error("no sensor on screen");
    await page.mouse.click(pos.x, pos.y);
    await page.waitForSelector("#panel:not([hidden])", { timeout: WAIT_MS });
    // Neighbouring points can overlap at district scale: the picked one must lie under the cursor.
    const pickedId = (await page.textContent("#panel code")) ?? "";
    const pickedPos = await page.evaluate((id) => window.__citytwin?.screenPositionOf(id), pickedId);
    expect(pickedPos).toBeDefined();
    expect(Math.hypot((pickedPos?.x ?? 1e9) - pos.x, (pickedPos?.y ?? 1e9) - pos.y)).toBeLessThan(12);

    expect(await page.evaluate((id) => window.__citytwin?.select(id), target.id)).toBe(true);
    await expect.poll(() => page.textContent("#panel code")).toBe(target.id);
    expect(await page.textContent("#panel [data-testid=value]")).toBe("55.0");
    const panel = (await page.textContent("#panel")) ?? "";
    expect(panel).toContain("%LEL");
    expect(panel).toContain(LEVEL_LABELS.red.zh);
    const asset = city.assets.find((a) => a.id === target.assetId);
    expect(panel).toContain(asset?.nameZh ?? "");
    expect(panel).toContain(asset?.owner.org ?? "");

    // The panel follows live readings for the selected sensor.
    server.broadcast({ type: "readings", r: [[target.id, Date.now() + 1000, 61.5, "good", "red"]] });
    await expect
      .poll(() => page.textContent("#panel [data-testid=value]"), { timeout: WAIT_MS })
      .toBe("61.5");
  });

  it("reconnects after the live socket drops and re-reads the latest readings", async () => {
    // While the socket is down the sensor eases to orange; only /api/latest knows.
    const latest = engineLatest(city).map((r) =>
      r.sensorId === target.id ? { ...r, ts: Date.now() + 5000, value: 30, level: "orange" as const } : r,
    );
    server.setLatest(latest);
    server.dropLiveClients();
    await server.waitForLiveClients(1, WAIT_MS);
    await expect
      .poll(() => page.textContent("[data-testid=connection]"), { timeout: WAIT_MS })
      .toMatch(/实时|LIVE/);
    await expect
      .poll(() => page.evaluate((id) => window.__citytwin?.colorOf(id), target.id), { timeout: WAIT_MS })
      .toBe(LEVEL_LABELS.orange.css);
  });

  it("switches language and the underground layer", async () => {
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, "viewer.png") });
    const before = await hooks(page, (h) => h.framesRendered);
    await page.click("[data-testid=lang]");
    await expect.poll(() => page.textContent("[data-testid=connection]")).toBe("LIVE");
    expect(await page.textContent("#panel")).toContain("Methane");
    // The relabelled selection keeps rendering while its new glyphs load (render-on-demand).
    await expect
      .poll(() => hooks(page, (h) => h.framesRendered), { timeout: WAIT_MS })
      .toBeGreaterThan(before + 10);
    await page.screenshot({ path: join(OUT, "viewer-en.png") });
    await page.click("[data-testid=underground]");
    await expect.poll(() => page.getAttribute("[data-testid=underground]", "class")).toBe("toggle");
    const frames = await hooks(page, (h) => h.framesRendered);
    await expect.poll(() => hooks(page, (h) => h.framesRendered)).toBeGreaterThan(frames);
    await page.screenshot({ path: join(OUT, "viewer-surface.png") });
    await page.click("[data-testid=underground]");
    await expect.poll(() => page.getAttribute("[data-testid=underground]", "class")).toBe("toggle on");
  });

  it("applies a frame that updates every sensor", async () => {
    const ts = Date.now() + 60_000;
    server.broadcast({
      type: "readings",
      r: city.sensors.map((s) => [s.id, ts, 1, "good", "yellow"] as const),
    });
    const ids = city.sensors.map((s) => s.id);
    const yellowCount = () =>
      page.evaluate(([list, css]) => list.filter((id) => window.__citytwin?.colorOf(id) === css).length, [
        ids,
        LEVEL_LABELS.yellow.css,
      ] as const);
    await expect.poll(yellowCount, { timeout: WAIT_MS }).toBe(ids.length);
  });

  it("only ever talks to its own origin, and renders on demand", async () => {
    const foreign = requests.filter((u) => !isLocalUrl(u));
    expect(foreign).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(await hooks(page, (h) => h.framesRendered)).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});

describe("twin viewer access", () => {
  let city: CityModel;
  let server: StaticApiServer;
  let demo: StaticApiServer;
  let browser: Browser;

  beforeAll(async () => {
    city = cityModelSchema.parse(generateCity({ seed: 42 }));
    const staticDir = join(ROOT, "twin-viewer", "dist");
    server = await startStaticApiServer({
      staticDir,
      city,
      latest: engineLatest(city),
      token: TOKEN,
      forbiddenToken: "nobody.no-role",
    });
    demo = await startStaticApiServer({ staticDir, city, mode: "demo" });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await demo?.close();
  });

  const authState = (page: Page) =>
    page.waitForFunction(() => window.__citytwin?.auth ?? window.__citytwin?.ready, null, {
      timeout: WAIT_MS,
    });

  it("shows the login state without a token, in both languages, and lets a token in", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.url);
    await authState(page);
    expect(await page.evaluate(() => window.__citytwin?.auth)).toBe("missing");
    expect(await page.isVisible("[data-testid=login]")).toBe(true);
    expect(await page.textContent("[data-testid=auth-problem]")).toContain("未提供访问令牌");
    expect(await page.textContent("[data-testid=connection]")).toContain("未授权");
    expect(server.liveClients()).toBe(0);
    await page.click("[data-testid=lang]");
    expect(await page.textContent("[data-testid=auth-problem]")).toContain("No access token");
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, "viewer-login.png") });

    // A wrong token: "invalid or expired"; a token without the role: "not sufficient".
    await page.fill("[data-testid=token-input]", "ops-wall.wrong");
    await Promise.all([page.waitForEvent("load"), page.click("[data-testid=token-submit]")]);
    await authState(page);
    expect(await page.evaluate(() => window.__citytwin?.auth)).toBe("invalid");
    expect(await page.textContent("[data-testid=auth-problem]")).toContain("无效或已过期");
    await page.fill("[data-testid=token-input]", "nobody.no-role");
    await Promise.all([page.waitForEvent("load"), page.click("[data-testid=token-submit]")]);
    await authState(page);
    expect(await page.evaluate(() => window.__citytwin?.auth)).toBe("forbidden");
    expect(await page.textContent("[data-testid=auth-problem]")).toContain("权限不足");

    // The right one: the viewer loads and connects to /live.
    await page.fill("[data-testid=token-input]", TOKEN);
    await Promise.all([page.waitForEvent("load"), page.click("[data-testid=token-submit]")]);
    await authState(page);
    expect(await page.evaluate(() => window.__citytwin?.auth)).toBeUndefined();
    expect(await page.evaluate(() => window.__citytwin?.ready)).toBe(true);
    expect(await page.isVisible("[data-testid=login]")).toBe(false);
    await server.waitForLiveClients(1, WAIT_MS);
    await page.close();
  });

  it("warns in the status bar when the gateway runs in demo mode", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(demo.url);
    await page.waitForSelector("[data-testid=demo-mode]", { timeout: WAIT_MS });
    expect(await page.textContent("[data-testid=demo-mode]")).toContain("演示模式");
    await page.close();
  });
});
