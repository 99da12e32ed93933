/**
 * The login state: shown when the API refuses the viewer (401 without or with a wrong/expired
 * token, 403 for a role below viewer). Says which, in the current language, and takes a token
 * in a form; submitting stores it (../auth.ts) and reloads the page.
 */
import { setToken, type AuthProblem } from "../auth";
import { h } from "./dom";
import { t, type StringKey } from "./i18n";

const MESSAGE: Record<AuthProblem, StringKey> = {
  missing: "authMissing",
  invalid: "authInvalid",
  forbidden: "authForbidden",
};

export class LoginView {
  private problem: AuthProblem | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly reload: () => void = () => window.location.reload(),
  ) {}

  show(problem: AuthProblem): void {
    this.problem = problem;
    this.render();
  }

  /** Re-renders in the current language (the language toggle calls it). */
  render(): void {
    const problem = this.problem;
    if (problem === undefined) {
      this.root.hidden = true;
      return;
    }
    const input = h("input", {
      type: "password",
      autocomplete: "off",
      placeholder: "name.secret",
      "aria-label": t("tokenLabel"),
      "data-testid": "token-input",
    });
    const form = h(
      "form",
      {},
      input,
      h("button", { type: "submit", "data-testid": "token-submit" }, t("signIn")),
    );
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const value = input.value.trim();
      if (value === "") return;
      setToken(value);
      this.reload();
    });
    this.root.replaceChildren(
      h("h2", {}, t("authTitle")),
      h("p", { "data-testid": "auth-problem" }, t(MESSAGE[problem])),
      form,
    );
    this.root.dataset.problem = problem;
    this.root.setAttribute("data-testid", "login");
    this.root.hidden = false;
  }
}
