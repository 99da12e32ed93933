/**
 * Status bar, the trust cues at all times: the connection (实时 LIVE, 回放 REPLAY while replaying —
 * never LIVE then —, 已断开 DISCONNECTED with the reconnect countdown, or "not authorised"), the data
 * age (server now − newest reading; amber > 10 s, red > 60 s), a demo-mode warning, sensor count,
 * readings per second and the last update. While not connected a "数据非实时 / Data not live"
 * banner marks the whole scene. Counting is O(1) per frame; the DOM is rewritten once a second and
 * on state changes, never per reading.
 */
import type { LiveReading } from "@citytwin/model";
import type { TimeMode } from "../core/app-context";
import type { ConnectionState } from "../live/live-client";
import { h } from "./dom";
import { formatTime } from "./format";
import { defineStrings, t } from "./i18n";
import "./status-bar.css";

const s = defineStrings({
  disconnected: { zh: "已断开", en: "DISCONNECTED" },
  reconnectIn: { zh: "{n} 秒后重连", en: "reconnecting in {n} s" },
  reconnectNow: { zh: "正在重连", en: "reconnecting" },
  replay: { zh: "回放", en: "REPLAY" },
  dataAge: { zh: "数据时延", en: "Data age" },
  seconds: { zh: "秒", en: "s" },
  notLive: { zh: "数据非实时", en: "Data not live" },
});

/** Data age bounds (ms): amber above the first, red above the second. */
export const AGE_WARN_MS = 10_000;
export const AGE_BAD_MS = 60_000;

/** What the bar reads on each tick (wired in app.ts). */
export interface StatusSources {
  /** serverTime − Date.now() (0 until known). */
  skewMs(): number;
  /** When the live socket retries (Date.now clock), while reconnecting. */
  retryAt(): number | undefined;
  time(): TimeMode;
}

export class StatusBar {
  private connection: ConnectionState | "denied" = "connecting";
  private demo = false;
  private sensorCount = 0;
  private windowCount = 0;
  private rate = 0;
  private lastUpdate: number | undefined;
  /** Source ts of the newest reading received (live or backfilled). */
  private newestTs: number | undefined;
  private sources: StatusSources = {
    skewMs: () => 0,
    retryAt: () => undefined,
    time: () => ({ mode: "live" }),
  };
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly banner = h("div", { class: "not-live-banner", "data-testid": "not-live", hidden: "" });

  constructor(private readonly root: HTMLElement) {
    (root.parentElement ?? document.body).append(this.banner);
  }

  start(): void {
    this.render();
    this.timer = setInterval(() => {
      this.rate = this.windowCount;
      this.windowCount = 0;
      this.render();
    }, 1000);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  bind(sources: StatusSources): void {
    this.sources = sources;
    this.render();
  }

  /** Demo mode: the gateway runs without authentication (shown as a warning). */
  setDemo(on: boolean): void {
    this.demo = on;
    this.render();
  }

  setConnection(state: ConnectionState | "denied"): void {
    this.connection = state;
    this.render();
  }

  setSensorCount(n: number): void {
    this.sensorCount = n;
    this.render();
  }

  /** Counts readings received now (shown as readings/s at the next tick) and tracks the newest ts. */
  countReadings(readings: readonly LiveReading[]): void {
    this.windowCount += readings.length;
    this.lastUpdate = Date.now();
    for (const r of readings) this.noteTs(r[1]);
  }

  /** A reading's source time seen outside `/live` (the `/api/latest` backfill). */
  noteTs(ts: number): void {
    if (this.newestTs === undefined || ts > this.newestTs) this.newestTs = ts;
  }

  /** Data age in ms on the server clock; undefined before the first reading. */
  dataAgeMs(): number | undefined {
    if (this.newestTs === undefined) return undefined;
    return Math.max(0, Date.now() + this.sources.skewMs() - this.newestTs);
  }

  render(): void {
    const replaying = this.sources.time().mode === "replay";
    const connected = this.connection === "live";
    const label = connected ? (replaying ? s("replay") : t("live")) : this.connectionLabel();
    const cls = connected && replaying ? "replay" : this.connection;
    this.banner.hidden = connected || this.connection === "denied";
    this.banner.textContent = s("notLive");
    this.root.replaceChildren(
      h("span", { class: `conn ${cls}`, "data-testid": "connection" }, h("i", {}), label),
      ...this.retryNote(),
      this.ageNote(),
      ...(this.demo ? [h("span", { class: "demo", "data-testid": "demo-mode" }, t("demoMode"))] : []),
      h(
        "span",
        {},
        `${t("sensors")} `,
        h("b", { "data-testid": "sensor-count" }, this.sensorCount.toLocaleString()),
      ),
      h("span", {}, `${t("perSecond")} `, h("b", {}, this.rate.toLocaleString())),
      h(
        "span",
        {},
        `${t("lastUpdate")} `,
        h("b", {}, this.lastUpdate === undefined ? "—" : formatTime(this.lastUpdate, false)),
      ),
    );
  }

  private connectionLabel(): string {
    if (this.connection === "reconnecting") return s("disconnected");
    return t(this.connection === "denied" ? "denied" : "connecting");
  }

  private retryNote(): HTMLElement[] {
    if (this.connection !== "reconnecting") return [];
    const at = this.sources.retryAt();
    const text =
      at === undefined || at <= Date.now()
        ? s("reconnectNow")
        : s("reconnectIn").replace("{n}", String(Math.ceil((at - Date.now()) / 1000)));
    return [h("span", { class: "retry", "data-testid": "reconnect-in" }, text)];
  }

  private ageNote(): HTMLElement {
    const age = this.dataAgeMs();
    const cls = age === undefined ? "" : age > AGE_BAD_MS ? "bad" : age > AGE_WARN_MS ? "warn" : "ok";
    const text = age === undefined ? "—" : `${Math.floor(age / 1000)} ${s("seconds")}`;
    return h(
      "span",
      { class: `age ${cls}` },
      `${s("dataAge")} `,
      h("b", { "data-testid": "data-age", "data-ms": String(age ?? "") }, text),
    );
  }
}
