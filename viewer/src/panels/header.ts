/** The top bar: title, loading status, upload (admins), user and role, log out, language toggle. */
import type { Me } from "../api/types";
import type { I18n } from "../i18n";
import { Disposer, emit, h, listen } from "./dom";

export class Header extends EventTarget {
  readonly root: HTMLElement;
  private readonly disposer = new Disposer();
  private me: Me | null = null;
  private status = "";

  constructor(parent: HTMLElement, private readonly i18n: I18n) {
    super();
    this.root = h("header", { class: "topbar" });
    parent.append(this.root);
    this.disposer.add(listen(this.root, "click", (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-action]");
      if (button) emit(this, button.dataset.action!, null);
    }));
    this.render();
  }

  setUser(me: Me | null): void {
    this.me = me;
    this.render();
  }

  setStatus(text: string): void {
    this.status = text;
    const node = this.root.querySelector(".status");
    if (node) node.textContent = text;
  }

  render(): void {
    const t = this.i18n.t.bind(this.i18n);
    document.title = t("app.title");
    const parts = [
      h("h1", {}, t("app.title")),
      h("span", { class: "status", id: "status", role: "status" }, this.status),
      h("span", { class: "spacer" }),
      this.me?.role === "admin" ? h("button", { type: "button", "data-action": "upload", id: "upload-open" }, t("upload.open")) : null,
      this.me ? h("span", { class: "user", id: "user" }, t("app.user", { username: this.me.username, role: t(`role.${this.me.role}`) })) : null,
      this.me ? h("button", { type: "button", "data-action": "logout" }, t("app.logout")) : null,
      h("button", { type: "button", "data-action": "lang", id: "lang-toggle" }, t("app.lang")),
    ];
    this.root.replaceChildren(...parts.filter((node): node is HTMLElement => node !== null));
  }

  dispose(): void {
    this.disposer.dispose();
    this.root.remove();
  }
}
