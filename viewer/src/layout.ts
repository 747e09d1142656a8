/** The page skeleton: top bar, sidebar with tabs, the 3D stage with its overlays, the plan beside it. */
import type { I18n, MessageKey } from "./i18n";
import { Disposer, h, listen } from "./panels/dom";

export const TABS = ["explorer", "warnings", "finder", "map", "compare"] as const;
export type Tab = (typeof TABS)[number];

export class Layout {
  readonly top: HTMLElement;
  readonly tabs: HTMLElement;
  readonly panes: Record<Tab, HTMLElement>;
  readonly stage: HTMLElement;
  readonly viewport: HTMLElement;
  readonly side: HTMLElement;
  readonly overlay: HTMLElement;
  readonly message: HTMLElement;
  private readonly disposer = new Disposer();
  private active: Tab = "explorer";
  private readonly badges = new Map<Tab, number>();
  private readonly hiddenTabs = new Set<Tab>();

  constructor(private readonly root: HTMLElement, private readonly i18n: I18n, private readonly onTab: (tab: Tab) => void) {
    this.top = h("div", { class: "top" });
    this.tabs = h("div", { class: "tabs", role: "tablist" });
    this.panes = {
      explorer: h("div", { class: "pane", "data-tab": "explorer" }),
      warnings: h("div", { class: "pane", "data-tab": "warnings", hidden: true }),
      finder: h("div", { class: "pane", "data-tab": "finder", hidden: true }),
      map: h("div", { class: "pane", "data-tab": "map", hidden: true }),
      compare: h("div", { class: "pane", "data-tab": "compare", hidden: true }),
    };
    this.viewport = h("div", { class: "viewport", id: "viewport" });
    this.message = h("p", { class: "stage-message", id: "stage-message" });
    this.overlay = h("div", { class: "overlay" });
    this.side = h("div", { class: "side" });
    this.stage = h("main", { class: "stage" }, this.viewport, this.message, this.overlay, this.side);
    const sidebar = h("aside", { class: "sidebar" }, this.tabs, ...Object.values(this.panes));
    root.replaceChildren(this.top, h("div", { class: "body" }, sidebar, this.stage));
    this.disposer.add(listen(this.tabs, "click", (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-tab]");
      if (button) this.show(button.dataset.tab as Tab);
    }));
    this.render();
  }

  get tab(): Tab {
    return this.active;
  }

  /** A count on a tab (e.g. active warnings); null removes it. */
  setBadge(tab: Tab, count: number | null): void {
    if (count === null) this.badges.delete(tab);
    else this.badges.set(tab, count);
    this.render();
  }

  /** Hide a tab a role cannot use (showing it again is allowed). */
  setTabHidden(tab: Tab, hidden: boolean): void {
    if (hidden) this.hiddenTabs.add(tab);
    else this.hiddenTabs.delete(tab);
    if (hidden && this.active === tab) this.show("explorer");
    else this.render();
  }

  show(tab: Tab): void {
    if (!TABS.includes(tab) || this.hiddenTabs.has(tab)) return;
    this.active = tab;
    for (const [name, pane] of Object.entries(this.panes)) pane.hidden = name !== tab;
    this.render();
    this.onTab(tab);
  }

  setMessage(text: string): void {
    this.message.textContent = text;
    this.message.hidden = !text;
  }

  render(): void {
    this.tabs.replaceChildren(...TABS.filter((tab) => !this.hiddenTabs.has(tab)).map((tab) => {
      const badge = this.badges.get(tab);
      return h("button", {
        type: "button", role: "tab", "data-tab": tab, "aria-selected": String(tab === this.active), class: tab === this.active ? "on" : "",
      }, this.i18n.t(`tabs.${tab}` as MessageKey), badge !== undefined ? h("span", { class: "tab-badge", "data-count": badge }, badge > 999 ? "999+" : String(badge)) : null);
    }));
  }

  dispose(): void {
    this.disposer.dispose();
    this.root.replaceChildren();
  }
}
