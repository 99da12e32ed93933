/**
 * Operator actions on the selected alarm: acknowledge, shelve (reason + 15 min / 1 h / 8 h),
 * unshelve, open an incident, dispatch its incident (assignee). Without the operator role every
 * button is disabled with the "operator role required" tooltip. The gateway's answer is applied to
 * the store at once; a refusal (403, 409, …) is shown inline with the gateway's message and kept
 * for the probe. Rebuilds only when what it offers changes, so a half-typed form survives updates.
 */
import { alarmSchema, incidentSchema, type Alarm, type Incident } from "@citytwin/model";
import { apiPost } from "../core/api";
import { h } from "../ui/dom";
import { lang } from "../ui/i18n";
import type { AlarmStore } from "./alarm-store";
import { s } from "./strings";

const SHELVE_CHOICES = [
  { key: "min15", seconds: 15 * 60 },
  { key: "h1", seconds: 3600 },
  { key: "h8", seconds: 8 * 3600 },
] as const;

type OpenForm = "shelve" | "dispatch" | undefined;

export class AlarmActions {
  readonly root = h("div", { class: "alarm-actions" });
  readonly refusals: string[] = [];
  private form: OpenForm;
  private message = "";
  private shownKey = "";
  private alarm: Alarm | undefined;
  private incident: Incident | undefined;

  constructor(
    private readonly store: AlarmStore,
    private readonly canOperate: boolean,
  ) {}

  /** Shows the actions for `alarm` (undefined hides them); no-op when nothing offered changed. */
  show(alarm: Alarm | undefined, incident: Incident | undefined): void {
    const key = [alarm?.id, alarm?.state, alarm?.shelved?.until, incident?.id, incident?.state, lang()].join(
      "|",
    );
    if (alarm?.id !== this.alarm?.id) {
      this.form = undefined;
      this.message = "";
    }
    this.alarm = alarm;
    this.incident = incident;
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.render();
  }

  private render(): void {
    const a = this.alarm;
    if (a === undefined) {
      this.root.replaceChildren();
      return;
    }
    const i = this.incident;
    const canDispatch = i !== undefined && i.state !== "closed";
    const buttons = [
      this.button("ack", s("acknowledge"), a.state === "unack" || a.state === "rtn_unack", () =>
        this.post(`api/alarms/${enc(a.id)}/ack`, {}, "alarm"),
      ),
      a.shelved === undefined
        ? this.button("shelve", s("shelve"), true, () => this.toggleForm("shelve"))
        : this.button("unshelve", s("unshelve"), true, () =>
            this.post(`api/alarms/${enc(a.id)}/unshelve`, {}, "alarm"),
          ),
      canDispatch
        ? this.button("dispatch", s("dispatchIncident"), true, () => this.toggleForm("dispatch"))
        : this.button("incident", s("openIncident"), true, () =>
            this.post(`api/alarms/${enc(a.id)}/incident`, {}, "incident"),
          ),
    ];
    const form =
      this.form === "shelve"
        ? this.shelveForm(a)
        : this.form === "dispatch" && canDispatch
          ? this.dispatchForm(i)
          : null;
    const note =
      this.message === ""
        ? null
        : h("div", { class: "alarm-refusal", role: "alert", "data-testid": "alarm-refusal" }, this.message);
    this.root.replaceChildren(h("div", { class: "alarm-buttons" }, ...buttons), form ?? "", note ?? "");
  }

  private button(action: string, label: string, applicable: boolean, run: () => void): HTMLElement {
    const b = h("button", { class: "alarm-btn", "data-action": action }, label);
    if (!this.canOperate) {
      b.disabled = true;
      b.title = s("needOperator");
      // A disabled button gets no pointer events in some browsers: the wrapper carries the tooltip too.
      return h("span", { class: "alarm-btn-wrap", title: s("needOperator") }, b);
    }
    b.disabled = !applicable;
    b.addEventListener("click", run);
    return b;
  }

  private toggleForm(form: Exclude<OpenForm, undefined>): void {
    this.form = this.form === form ? undefined : form;
    this.render();
  }

  private shelveForm(a: Alarm): HTMLElement {
    const reason = h("input", {
      type: "text",
      "data-field": "reason",
      placeholder: s("reason"),
      maxlength: "500",
    });
    const duration = h(
      "select",
      { "data-field": "duration" },
      ...SHELVE_CHOICES.map((c) => h("option", { value: String(c.seconds) }, s(c.key))),
    );
    const submit = h(
      "button",
      { class: "alarm-btn", "data-action": "shelve-submit", type: "submit" },
      s("confirm"),
    );
    const form = h("form", { class: "alarm-form" }, reason, duration, submit);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.post(
        `api/alarms/${enc(a.id)}/shelve`,
        { durationS: Number(duration.value), reason: reason.value.trim() },
        "alarm",
      );
    });
    return form;
  }

  private dispatchForm(i: Incident): HTMLElement {
    const assignee = h("input", {
      type: "text",
      "data-field": "assignee",
      placeholder: s("assigneeName"),
      maxlength: "200",
    });
    if (i.assignee !== undefined) assignee.value = i.assignee;
    const submit = h(
      "button",
      { class: "alarm-btn", "data-action": "dispatch-submit", type: "submit" },
      s("confirm"),
    );
    const form = h("form", { class: "alarm-form" }, assignee, submit);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.post(`api/incidents/${enc(i.id)}/dispatch`, { assignee: assignee.value.trim() }, "incident");
    });
    return form;
  }

  /** Sends the action; the answer updates the store, a refusal is shown and remembered. */
  private post(path: string, body: unknown, answer: "alarm" | "incident"): void {
    const done = (msg: string, form: OpenForm) => {
      this.message = msg;
      this.form = form;
      this.render();
    };
    const request =
      answer === "alarm"
        ? apiPost(path, body, alarmSchema).then((a) => this.store.applyAlarm(a))
        : apiPost(path, body, incidentSchema).then((i) => this.store.applyIncident(i));
    request.then(
      () => done("", undefined),
      (err: unknown) => {
        const text = `${s("refused")}: ${(err as Error).message}`;
        this.refusals.push(text);
        done(text, this.form);
      },
    );
  }
}

const enc = encodeURIComponent;
