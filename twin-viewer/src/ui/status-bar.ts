/**
 * Status bar: connection state (or "not authorised"), a demo-mode warning when the gateway runs
 * without authentication, sensor count, readings per second and the last update time.
 * Counting is O(1) per frame; the DOM is rewritten once a second, never per reading.
 */
import type { ConnectionState } from "../live/live-client";
import { h } from "./dom";
import { formatTime } from "./format";
import { t } from "./i18n";

export class StatusBar {
  private connection: ConnectionState | "denied" = "connecting";
  private demo = false;
  private sensorCount = 0;
  private windowCount = 0;
  private rate = 0;
  private lastUpdate: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly root: HTMLElement) {}

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

  /** Counts readings received now; shown as readings/s at the next tick. */
  countReadings(n: number): void {
    this.windowCount += n;
    this.lastUpdate = Date.now();
  }

  render(): void {
    const label = this.connection === "live" ? t("live") : t(this.connection);
    this.root.replaceChildren(
      h("span", { class: `conn ${this.connection}`, "data-testid": "connection" }, h("i", {}), label),
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
}
