/** Viewer tools: rooms layer, X-ray, isolate, explode, section, walk, plan, fit. Fires "tool" events. */
import type { I18n, MessageKey } from "../i18n";
import { Disposer, emit, h, listen } from "./dom";

export interface ToolState {
  rooms: boolean;
  xray: boolean;
  isolate: boolean;
  explode: number;
  section: boolean;
  sectionHeight: number;
  sectionRange: [number, number];
  walk: boolean;
  plan: boolean;
}

export type ToolEvent =
  | { tool: "rooms" | "xray" | "isolate" | "section" | "walk" | "plan"; on: boolean }
  | { tool: "explode"; value: number }
  | { tool: "sectionHeight"; value: number }
  | { tool: "fit" };

const TOGGLES: { tool: "rooms" | "xray" | "isolate" | "section" | "walk" | "plan"; key: MessageKey }[] = [
  { tool: "rooms", key: "tools.rooms" },
  { tool: "xray", key: "tools.xray" },
  { tool: "isolate", key: "tools.isolate" },
  { tool: "section", key: "tools.section" },
  { tool: "walk", key: "tools.walk" },
  { tool: "plan", key: "tools.plan" },
];

export class Toolbar extends EventTarget {
  readonly root: HTMLElement;
  private readonly disposer = new Disposer();
  state: ToolState = {
    rooms: true, xray: true, isolate: false, explode: 0, section: false, sectionHeight: 1.2, sectionRange: [0, 10], walk: false, plan: false,
  };

  constructor(parent: HTMLElement, private readonly i18n: I18n) {
    super();
    this.root = h("nav", { class: "toolbar", id: "toolbar" });
    parent.append(this.root);
    this.disposer.add(listen(this.root, "click", (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>("button[data-tool]");
      if (!button) return;
      const tool = button.dataset.tool!;
      if (tool === "fit") emit<ToolEvent>(this, "tool", { tool: "fit" });
      else {
        const toggle = TOGGLES.find((t) => t.tool === tool);
        if (toggle) emit<ToolEvent>(this, "tool", { tool: toggle.tool, on: !this.state[toggle.tool] });
      }
    }));
    this.disposer.add(listen(this.root, "input", (event) => {
      const input = event.target as HTMLInputElement;
      if (input.name === "explode") emit<ToolEvent>(this, "tool", { tool: "explode", value: Number(input.value) });
      if (input.name === "section-height") emit<ToolEvent>(this, "tool", { tool: "sectionHeight", value: Number(input.value) });
    }));
    this.render();
  }

  update(patch: Partial<ToolState>): void {
    this.state = { ...this.state, ...patch };
    this.render();
  }

  render(): void {
    const t = this.i18n.t.bind(this.i18n);
    const s = this.state;
    const toggles = TOGGLES.map(({ tool, key }) =>
      h("button", { type: "button", "data-tool": tool, "aria-pressed": String(s[tool]), class: s[tool] ? "on" : "" }, t(key)));
    const explode = h("label", { class: "slider" }, t("tools.explode"),
      h("input", { type: "range", name: "explode", min: 0, max: 1, step: 0.05, value: s.explode }));
    const section = s.section
      ? h("label", { class: "slider" }, h("input", {
          type: "range", name: "section-height", min: s.sectionRange[0].toFixed(1), max: s.sectionRange[1].toFixed(1), step: 0.1, value: s.sectionHeight.toFixed(1),
        }), `${s.sectionHeight.toFixed(1)} m`)
      : null;
    this.root.replaceChildren(
      ...toggles,
      explode,
      ...(section ? [section] : []),
      h("button", { type: "button", "data-tool": "fit" }, t("tools.fit")),
      s.walk ? h("span", { class: "hint" }, t("tools.walkHint")) : "",
    );
  }

  dispose(): void {
    this.disposer.dispose();
    this.root.remove();
  }
}
