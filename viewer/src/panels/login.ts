/** The login form (OAuth2 password flow), shown as a modal when the API answers 401. */
import type { ApiClient } from "../api/client";
import type { Token } from "../api/types";
import type { I18n } from "../i18n";
import { Disposer, h, listen } from "./dom";

export class LoginPanel {
  private readonly root: HTMLDivElement;
  private readonly disposer = new Disposer();
  private pending: ((token: Token) => void) | null = null;
  private waiting: Promise<Token> | null = null;

  constructor(parent: HTMLElement, private readonly api: ApiClient, private readonly i18n: I18n) {
    this.root = h("div", { class: "modal login", id: "login", hidden: true });
    parent.append(this.root);
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  /** Show the form; resolves with the token once a login succeeds (one prompt however many 401s). */
  prompt(): Promise<Token> {
    if (this.waiting) return this.waiting;
    this.render();
    this.root.hidden = false;
    this.waiting = new Promise<Token>((resolve) => {
      this.pending = resolve;
    });
    return this.waiting;
  }

  private render(message = ""): void {
    const t = this.i18n.t.bind(this.i18n);
    const username = h("input", { name: "username", autocomplete: "username", required: true, id: "login-username" });
    const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true, id: "login-password" });
    const error = h("p", { class: "error", role: "alert" }, message);
    const form = h(
      "form",
      { class: "modal-box" },
      h("h2", {}, t("login.title")),
      h("p", {}, t("login.required")),
      h("label", {}, t("login.username"), username),
      h("label", {}, t("login.password"), password),
      error,
      h("button", { type: "submit", class: "primary" }, t("login.submit")),
    );
    this.disposer.dispose();
    this.disposer.add(
      listen(form, "submit", (event) => {
        event.preventDefault();
        void this.submit(username.value, password.value, error);
      }),
    );
    this.root.replaceChildren(form);
    username.focus();
  }

  private async submit(username: string, password: string, error: HTMLElement): Promise<void> {
    try {
      const token = await this.api.login(username, password);
      this.root.hidden = true;
      const resolve = this.pending;
      this.pending = null;
      this.waiting = null;
      resolve?.(token);
    } catch (failure) {
      error.textContent = this.i18n.t("login.failed", { message: failure instanceof Error ? failure.message : String(failure) });
    }
  }

  dispose(): void {
    this.disposer.dispose();
    this.root.remove();
  }
}
