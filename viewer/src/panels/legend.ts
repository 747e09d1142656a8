/** Legend of the active colour mode: categorical swatches with counts, or the deviation gradient. */
import type { RoomRow } from "../api/types";
import { COLOUR_MODES, type ColourMode, type LegendEntry, legendEntries } from "../colour/modes";
import { DEVIATION_DOMAIN, NO_DATA, deviationStops, toCss } from "../colour/scales";
import type { I18n } from "../i18n";
import { Disposer, emit, h, listen } from "./dom";

/** Rooms painted over the colour mode (finder result, version difference), listed above the mode's legend. */
export interface OverlayEntry { colour: number; label: string; count?: number; key: string }

export class LegendPanel extends EventTarget {
  readonly root: HTMLElement;
  private readonly disposer = new Disposer();
  private mode: ColourMode = "category";
  private rows: RoomRow[] = [];
  private overlay: OverlayEntry[] = [];
  private frame = 0;

  constructor(parent: HTMLElement, private readonly i18n: I18n) {
    super();
    this.root = h("section", { class: "legend", id: "legend" });
    parent.append(this.root);
    this.disposer.add(listen(this.root, "change", (event) => {
      const select = event.target as HTMLSelectElement;
      if (select.id === "colour-mode") emit(this, "mode", select.value);
    }));
  }

  update(mode: ColourMode, rows: RoomRow[]): void {
    this.mode = mode;
    this.rows = rows;
    this.render();
  }

  /** Counts of rows still arriving: the legend of the current mode redrawn with what `rows()` gives then, at most once a frame. */
  updateSoon(rows: () => RoomRow[]): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.update(this.mode, rows());
    });
  }

  /** Entries of a highlight over the colour mode (empty: none). */
  setOverlay(entries: OverlayEntry[]): void {
    this.overlay = entries;
    this.render();
  }

  render(): void {
    const t = this.i18n.t.bind(this.i18n);
    const overlay = this.overlay.length
      ? h("ul", { class: "swatches overlay-entries", id: "legend-overlay" }, this.overlay.map((entry) => h("li", { "data-overlay": entry.key },
          h("span", { class: "swatch", style: `background:${toCss(entry.colour)}` }),
          h("span", { class: "label" }, entry.label),
          entry.count !== undefined ? h("span", { class: "count" }, String(entry.count)) : null)))
      : null;
    const select = h("select", { id: "colour-mode", "aria-label": t("tools.colourBy") },
      COLOUR_MODES.map((mode) => h("option", { value: mode, selected: mode === this.mode }, t(`colour.${mode}`))));
    const body = this.mode === "deviation" ? this.gradient() : this.swatches(legendEntries(this.mode, this.rows));
    this.root.replaceChildren(h("header", {}, h("h3", {}, t("legend.title")), h("label", {}, t("tools.colourBy"), select)), ...(overlay ? [overlay] : []), body);
    this.root.dataset.mode = this.mode;
  }

  private label(key: string | null): string {
    if (key === null) {
      if (this.mode === "unit") return this.i18n.t("legend.noUnit");
      if (this.mode === "compliance") return this.i18n.t("legend.notApplicable");
      return this.i18n.t("legend.none");
    }
    switch (this.mode) {
      case "category":
        return this.i18n.category(key);
      case "use_status":
        return this.i18n.maybe(`use_status.${key}`, key);
      case "compliance":
        return this.i18n.maybe(`compliance.${key}`, key);
      default:
        return key;
    }
  }

  private swatches(entries: LegendEntry[]): HTMLElement {
    const shown = entries.slice(0, 16);
    const rest = entries.slice(16).reduce((n, e) => n + e.count, 0);
    return h("ul", { class: "swatches" },
      shown.map((entry) => h("li", { "data-key": entry.key ?? "" },
        h("span", { class: "swatch", style: `background:${toCss(entry.colour)}` }),
        h("span", { class: "label" }, this.label(entry.key)),
        h("span", { class: "count" }, String(entry.count)))),
      rest ? h("li", {}, h("span", { class: "swatch" }), h("span", { class: "label" }, this.i18n.t("legend.other")), h("span", { class: "count" }, String(rest))) : null);
  }

  private gradient(): HTMLElement {
    const stops = deviationStops(9);
    const css = stops.map((s, i) => `${toCss(s.colour)} ${(i * 100) / (stops.length - 1)}%`).join(",");
    const none = this.rows.filter((r) => r.deviation_pct === null || r.deviation_pct === undefined).length;
    return h("div", { class: "gradient" },
      h("div", { class: "bar", style: `background:linear-gradient(to right,${css})` }),
      h("div", { class: "ticks" },
        h("span", {}, `≤${DEVIATION_DOMAIN.min}%`), h("span", {}, "0"), h("span", {}, `≥+${DEVIATION_DOMAIN.max}%`)),
      h("div", { class: "ticks muted" }, h("span", {}, this.i18n.t("legend.deviationLow")), h("span", {}, this.i18n.t("legend.deviationHigh"))),
      h("div", { class: "none" }, h("span", { class: "swatch", style: `background:${toCss(NO_DATA)}` }), `${this.i18n.t("legend.none")} (${none})`));
  }

  dispose(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.disposer.dispose();
    this.root.remove();
  }
}
