/**
 * Shared set-up of the browser tests (test/browser/): the demo platform (seed 42, scale 1) on
 * free 127.0.0.1 ports with a temporary runtime directory, and a viewer page that records every
 * request and page error and resolves once the viewer is ready (or failed to start).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { cityModelSchema, levelFor, sensorKind, type CityModel, type LatestReading } from "@citytwin/model";
import { SignalEngine } from "@citytwin/simulators";
import { launchPlatform, type Platform, type PlatformOptions } from "../../simulators/src/demo/launch";
import { freePortBlock, freePorts } from "./free-port";

export const VIEWER_READY_MS = 120_000;

/** Starts the demo platform; `opts` overrides the defaults (scenario, influx, viewer, …). */
export async function startDemoPlatform(
  name: string,
  opts: Partial<PlatformOptions> = {},
): Promise<{ platform: Platform; city: CityModel }> {
  const [mqttPort, httpPort, opcuaPort, fieldBrokerPort] = await freePorts(4);
  const platform = await launchPlatform({
    runtimeDir: mkdtempSync(join(tmpdir(), `citytwin-${name}-`)),
    seed: 42,
    scale: 1,
    host: "127.0.0.1",
    mqttPort: mqttPort!,
    httpPort: httpPort!,
    modbusPort: await freePortBlock(4), // one port per gateway, counting up
    opcuaPort: opcuaPort!,
    fieldBrokerPort: fieldBrokerPort!,
    logLevel: "info",
    ...opts,
  });
  const city = cityModelSchema.parse(JSON.parse(readFileSync(platform.cityFile, "utf8")));
  return { platform, city };
}

export interface OpenViewerOptions {
  /** Every URL the page requests is pushed here. */
  requests: string[];
  /** Every uncaught page error message is pushed here. */
  pageErrors: string[];
  viewport?: { width: number; height: number };
  timeoutMs?: number;
}

/** A new page on `url`, resolved once `window.__citytwin` is ready or reports a start-up error. */
export async function openViewer(browser: Browser, url: string, o: OpenViewerOptions): Promise<Page> {
  const page = await browser.newPage({ viewport: o.viewport ?? { width: 1280, height: 800 } });
  page.on("request", (req) => o.requests.push(req.url()));
  page.on("pageerror", (err) => o.pageErrors.push(err.message));
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: o.timeoutMs ?? VIEWER_READY_MS });
  await waitForViewer(page, o.timeoutMs);
  return page;
}

export async function waitForViewer(page: Page, timeoutMs = VIEWER_READY_MS): Promise<void> {
  await page.waitForFunction(
    () => window.__citytwin?.ready === true || window.__citytwin?.error !== undefined,
    null,
    { timeout: timeoutMs },
  );
}

/** Every sensor's value at `ts` from the simulators' signal engine (all normal: no scenario). */
export function engineLatest(city: CityModel, ts = Date.now()): LatestReading[] {
  const engine = new SignalEngine({ city, startMs: ts });
  return city.sensors.map((s) => {
    const value = engine.value(s.id, ts);
    return {
      sensorId: s.id,
      ts,
      value,
      quality: "good",
      level: levelFor(sensorKind(s.kind)?.thresholds, value),
    };
  });
}
