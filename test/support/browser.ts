/**
 * Debian's Chromium for browser tests (never a downloaded browser), WebGL through SwiftShader.
 * The background-networking flags keep Chromium from reaching for Google's hosts, so a test that
 * asserts "no request leaves localhost" sees only the page's own traffic.
 */
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** True for URLs a fully offline viewer may request. */
export function isLocalUrl(url: string): boolean {
  if (url.startsWith("data:") || url.startsWith("blob:")) return true;
  const host = new URL(url).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
}
