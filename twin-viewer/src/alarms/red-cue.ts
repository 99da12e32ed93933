/**
 * The new-red-alarm cue: when an annunciated alarm newly reaches red while unacknowledged, a
 * flashing red frame around the screen, a banner, and a repeating tone synthesised with WebAudio
 * (an OscillatorNode per beep; no audio files). "Silence" stops both until the next new red
 * alarm; acknowledging the last red alarm ends the cue. Browsers keep an AudioContext suspended
 * until a user gesture: the banner then offers "click to enable sound".
 */
import type { Alarm } from "@citytwin/model";
import { h } from "../ui/dom";
import { isHiddenByDesign } from "./alarm-order";
import { s } from "./strings";

const BEEP_EVERY_MS = 1200;
const BEEP_S = 0.35;
const TONE_HZ = 880;

export interface CueState {
  active: boolean;
  sounding: boolean;
  silenced: boolean;
  /** The AudioContext's state, or "none" before the first cue. */
  audioState: AudioContextState | "none";
}

/** Unacknowledged, red and annunciated (not shelved, suppressed, grouped or out of service). */
function isRedUnack(a: Alarm): boolean {
  return a.level === "red" && a.state === "unack" && a.shelved === undefined && !isHiddenByDesign(a);
}

export class RedCue {
  readonly banner = h("div", { class: "red-cue-banner", "data-testid": "red-cue", hidden: "" });
  private readonly frame = h("div", { class: "red-cue-frame", hidden: "" });
  private readonly seenRed = new Set<string>();
  private audio: AudioContext | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private redCount = 0;
  private silenced = false;

  private readonly title = h("b", {});
  private readonly silenceButton = h("button", { class: "red-cue-silence", "data-action": "silence" });
  private readonly soundButton = h("button", { class: "red-cue-sound", "data-action": "enable-sound" });

  constructor(overlayParent: HTMLElement) {
    overlayParent.append(this.frame);
    this.banner.append(this.title, this.silenceButton, this.soundButton);
    this.silenceButton.addEventListener("click", () => {
      this.silenced = true;
      this.apply();
    });
    this.soundButton.addEventListener("click", () => void this.audio?.resume().then(() => this.render()));
    this.render();
  }

  /** Re-evaluates after the alarm set changed. */
  update(alarms: Iterable<Alarm>): void {
    let fresh = false;
    const red = new Set<string>();
    for (const a of alarms) {
      if (!isRedUnack(a)) continue;
      red.add(a.id);
      if (!this.seenRed.has(a.id)) fresh = true;
    }
    for (const id of red) this.seenRed.add(id);
    this.redCount = red.size;
    if (fresh) this.silenced = false;
    this.apply();
  }

  state(): CueState {
    return {
      active: this.active(),
      sounding: this.timer !== undefined && this.audio?.state === "running",
      silenced: this.silenced,
      audioState: this.audio?.state ?? "none",
    };
  }

  /** Re-labels the banner (language change) and offers "enable sound" while audio is blocked. */
  render(): void {
    this.title.textContent = s("redAlarm");
    this.silenceButton.textContent = s("silence");
    this.soundButton.textContent = s("enableSound");
    this.soundButton.hidden = this.audio === undefined || this.audio.state === "running";
  }

  private active(): boolean {
    return this.redCount > 0 && !this.silenced;
  }

  private apply(): void {
    const on = this.active();
    this.banner.hidden = !on;
    this.frame.hidden = !on;
    if (on && this.timer === undefined) {
      this.startSound();
      this.timer = setInterval(() => this.beep(), BEEP_EVERY_MS);
      this.beep();
    } else if (!on && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.render();
  }

  private startSound(): void {
    if (this.audio === undefined) {
      try {
        this.audio = new AudioContext();
        this.audio.addEventListener("statechange", () => this.render());
      } catch {
        return; // no audio device: the visual cue still works
      }
    }
    if (this.audio.state === "suspended") void this.audio.resume().catch(() => undefined);
  }

  /** One short beep, shaped so it does not click. Silent while the context is suspended. */
  private beep(): void {
    const ac = this.audio;
    if (ac === undefined || ac.state !== "running") return;
    const osc = ac.createOscillator();
    const gain = ac.createGain();
    osc.type = "square";
    osc.frequency.value = TONE_HZ;
    const t = ac.currentTime;
    gain.gain.setValueAtTime(0, t);
    gain.gain.linearRampToValueAtTime(0.15, t + 0.02);
    gain.gain.setValueAtTime(0.15, t + BEEP_S - 0.05);
    gain.gain.linearRampToValueAtTime(0, t + BEEP_S);
    osc.connect(gain).connect(ac.destination);
    osc.start(t);
    osc.stop(t + BEEP_S);
  }
}
