/**
 * The replay bar (#timeline): the mode badge (实时 LIVE green / 回放 REPLAY amber with the instant),
 * a slider over the replay window, play/pause, speed, step and "回到实时 / Back to live". Built once
 * per language; ticks and drags only update attributes and text (the slider is never replaced
 * while it is being dragged).
 */
import { h } from "../ui/dom";
import { formatTime } from "../ui/format";
import { defineStrings } from "../ui/i18n";
import { SPEEDS, type ReplayController } from "./replay-controller";

const s = defineStrings({
  live: { zh: "实时", en: "LIVE" },
  replay: { zh: "回放", en: "REPLAY" },
  notLive: { zh: "非实时", en: "NOT LIVE" },
  play: { zh: "播放", en: "Play" },
  pause: { zh: "暂停", en: "Pause" },
  back: { zh: "◀ 1 分钟", en: "◀ 1 min" },
  forward: { zh: "1 分钟 ▶", en: "1 min ▶" },
  toLive: { zh: "回到实时", en: "Back to live" },
  window: { zh: "近 6 小时", en: "Last 6 h" },
  fromArchive: { zh: "历史库", en: "archive" },
  unavailable: { zh: "回放数据不可用", en: "Replay data unavailable" },
  speed: { zh: "倍速", en: "Speed" },
});

const STEP_MS = 60_000;

export class TimelineView {
  private slider!: HTMLInputElement;
  private badge!: HTMLElement;
  private instant!: HTMLElement;
  private note!: HTMLElement;
  private playBtn!: HTMLButtonElement;
  private speedBtns: HTMLButtonElement[] = [];
  private dragging = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly replay: ReplayController,
  ) {}

  /** Rebuilds the bar (start-up and language change). */
  build(): void {
    this.slider = h("input", {
      type: "range",
      step: "any",
      class: "slider",
      "data-testid": "timeline-slider",
    });
    this.slider.addEventListener("pointerdown", () => (this.dragging = true));
    this.slider.addEventListener("pointerup", () => (this.dragging = false));
    this.slider.addEventListener("input", () => this.replay.seek(Number(this.slider.value)));
    this.badge = h("span", { class: "mode-badge", "data-testid": "mode-badge" });
    this.instant = h("span", { class: "instant", "data-testid": "replay-instant" });
    this.note = h("span", { class: "note" });
    this.playBtn = this.button("", "play", () =>
      this.replay.playing ? this.replay.pause() : this.replay.play(),
    );
    this.speedBtns = SPEEDS.map((speed) =>
      this.button(`${speed}×`, `speed-${speed}`, () => this.replay.setSpeed(speed)),
    );
    this.root.replaceChildren(
      h("div", { class: "left" }, this.badge, this.instant),
      this.button(s("back"), "step-back", () => this.replay.step(-STEP_MS)),
      this.playBtn,
      this.button(s("forward"), "step-forward", () => this.replay.step(STEP_MS)),
      h("span", { class: "speeds", title: s("speed") }, ...this.speedBtns),
      h("span", { class: "window" }, s("window")),
      this.slider,
      this.note,
      this.button(s("toLive"), "back-to-live", () => this.replay.goLive()),
    );
    this.update();
  }

  /** Re-reads the controller's state into the bar (cheap; runs on changes and once a second). */
  update(): void {
    const mode = this.replay.time();
    const replaying = mode.mode === "replay";
    this.root.classList.toggle("replaying", replaying);
    // Never "LIVE" while the socket is down: what is drawn may be old.
    const look = replaying ? "replay" : this.replay.connected ? "live" : "not-live";
    this.badge.textContent = s(look === "not-live" ? "notLive" : look);
    this.badge.className = `mode-badge ${look}`;
    this.instant.textContent = replaying ? formatTime(mode.at) : "";
    const start = this.replay.windowStart();
    const end = this.replay.now();
    if (!this.dragging) {
      this.slider.min = String(start);
      this.slider.max = String(end);
      this.slider.value = String(this.replay.shownAt());
    }
    this.slider.style.setProperty("--hot-from", `${this.hotFraction(start, end) * 100}%`);
    this.playBtn.textContent = this.replay.playing ? s("pause") : s("play");
    this.playBtn.disabled = !replaying;
    for (const [i, btn] of this.speedBtns.entries())
      btn.classList.toggle("on", SPEEDS[i] === this.replay.speed);
    const snap = this.replay.lastSnapshot;
    this.note.textContent =
      this.replay.error !== undefined
        ? s("unavailable")
        : replaying && snap?.source === "influxdb"
          ? s("fromArchive")
          : "";
  }

  /** Where the hot store's coverage starts along the slider (0 = whole window is hot). */
  private hotFraction(start: number, end: number): number {
    const from = this.replay.hotFrom;
    if (from === undefined || from <= start) return 0;
    return Math.min(1, (from - start) / (end - start));
  }

  private button(label: string, testid: string, onClick: () => void): HTMLButtonElement {
    const btn = h("button", { class: "toggle", "data-testid": testid }, label);
    btn.addEventListener("click", onClick);
    return btn;
  }
}
