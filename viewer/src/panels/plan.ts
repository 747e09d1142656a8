/** The storey's 2D plan (SVG from the API), rooms filled with the 3D colours; a click selects the room. */
import type { ApiClient } from "../api/client";
import { toCss } from "../colour/scales";
import { SELECTED_COLOUR } from "../scene/colouring";
import type { I18n } from "../i18n";
import { Disposer, emit, h, listen } from "./dom";

const SVG_NS = "http://www.w3.org/2000/svg";

/** Parse the plan and keep only inert SVG (no scripts, no event attributes, no external links). */
export function sanitiseSvg(text: string): SVGSVGElement | null {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.namespaceURI !== SVG_NS || svg.nodeName !== "svg" || doc.querySelector("parsererror")) return null;
  for (const bad of [...svg.querySelectorAll("script, foreignObject, iframe")]) bad.remove();
  for (const element of [svg, ...svg.querySelectorAll("*")]) {
    for (const attr of [...element.attributes]) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.toLowerCase().startsWith("on") || ((attr.name === "href" || attr.name === "xlink:href") && !value.startsWith("#"))) {
        element.removeAttribute(attr.name);
      }
    }
  }
  return document.importNode(svg, true) as unknown as SVGSVGElement;
}

interface ViewBox { x: number; y: number; w: number; h: number }

export class PlanPanel extends EventTarget {
  readonly root: HTMLElement;
  private readonly disposer = new Disposer();
  private readonly stage: HTMLDivElement;
  private svg: SVGSVGElement | null = null;
  private storeyId: number | null = null;
  private selected: string | null = null;
  private view: ViewBox | null = null;
  private drag: { x: number; y: number; moved: boolean } | null = null;
  private seq = 0;

  constructor(parent: HTMLElement, private readonly api: ApiClient, private readonly i18n: I18n, private readonly colourOf: (globalId: string) => number) {
    super();
    this.stage = h("div", { class: "plan-stage" });
    this.root = h("section", { class: "plan", id: "plan", hidden: true }, this.stage);
    parent.append(this.root);
    this.disposer.add(listen(this.stage, "click", (event) => this.onClick(event)));
    this.disposer.add(listen(this.stage, "wheel", (event) => this.onWheel(event), { passive: false }));
    this.disposer.add(listen(this.stage, "pointerdown", (event) => { this.drag = { x: event.clientX, y: event.clientY, moved: false }; }));
    this.disposer.add(listen(window, "pointermove", (event) => this.onDrag(event)));
    this.disposer.add(listen(window, "pointerup", () => { setTimeout(() => { this.drag = null; }, 0); }));
  }

  get visible(): boolean {
    return !this.root.hidden;
  }

  set visible(on: boolean) {
    this.root.hidden = !on;
    if (on && this.storeyId !== null && !this.svg) void this.load(this.storeyId);
  }

  get currentStorey(): number | null {
    return this.storeyId;
  }

  /** Show the plan of a storey (fetched only while the panel is visible). */
  async load(storeyId: number): Promise<void> {
    if (storeyId === this.storeyId && this.svg) return;
    this.storeyId = storeyId;
    this.svg = null;
    if (!this.visible) return;
    const seq = ++this.seq;
    this.stage.replaceChildren(h("p", { class: "muted" }, this.i18n.t("app.loading")));
    let svg: SVGSVGElement | null = null;
    try {
      svg = sanitiseSvg(await this.api.planSvg(storeyId));
    } catch {
      svg = null;
    }
    if (seq !== this.seq) return;
    if (!svg) {
      this.stage.replaceChildren(h("p", { class: "muted unavailable" }, this.i18n.t("plan.unavailable")));
      return;
    }
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    const [x, y, w, hgt] = (svg.getAttribute("viewBox") ?? "0 0 100 100").split(/[\s,]+/).map(Number) as [number, number, number, number];
    this.view = { x, y, w, h: hgt };
    this.svg = svg;
    this.stage.replaceChildren(svg);
    this.recolour();
    this.root.dataset.storeyId = String(storeyId);
    emit(this, "loaded", storeyId);
  }

  /** Fill every room with its current colour (call after a colour-mode change). */
  recolour(): void {
    if (!this.svg) return;
    for (const group of this.svg.querySelectorAll<SVGGElement>("g.room[data-global-id]")) {
      const id = group.dataset.globalId!;
      const fill = toCss(id === this.selected ? SELECTED_COLOUR : this.colourOf(id));
      for (const shape of group.querySelectorAll<SVGElement>("path, polygon, rect")) shape.style.fill = fill;
      group.classList.toggle("selected", id === this.selected);
    }
  }

  select(globalId: string | null): void {
    this.selected = globalId;
    this.recolour();
  }

  private onClick(event: MouseEvent): void {
    if (this.drag?.moved) return;
    const group = (event.target as Element).closest<SVGGElement>("g.room[data-global-id]");
    if (group) emit(this, "select", group.dataset.globalId!);
  }

  private onWheel(event: WheelEvent): void {
    if (!this.svg || !this.view) return;
    event.preventDefault();
    const factor = Math.exp(event.deltaY * 0.001);
    const rect = this.svg.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width;
    const fy = (event.clientY - rect.top) / rect.height;
    const v = this.view;
    const w = v.w * factor;
    const hh = v.h * factor;
    this.setView({ x: v.x + (v.w - w) * fx, y: v.y + (v.h - hh) * fy, w, h: hh });
  }

  private onDrag(event: PointerEvent): void {
    if (!this.drag || !this.svg || !this.view || !event.buttons) return;
    const dx = event.clientX - this.drag.x;
    const dy = event.clientY - this.drag.y;
    if (!this.drag.moved && Math.hypot(dx, dy) < 4) return;
    this.drag = { x: event.clientX, y: event.clientY, moved: true };
    const rect = this.svg.getBoundingClientRect();
    const scale = Math.max(this.view.w / rect.width, this.view.h / rect.height);
    this.setView({ ...this.view, x: this.view.x - dx * scale, y: this.view.y - dy * scale });
  }

  private setView(view: ViewBox): void {
    this.view = view;
    this.svg?.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
  }

  dispose(): void {
    this.seq += 1;
    this.disposer.dispose();
    this.root.remove();
  }
}
