/** The room card: areas with source and deviation, category, unit, occupants (per role), warnings, history. */
import type { HistoryEntry, Inspection, Occupant, Role, RoomCard, RoomRow } from "../api/types";
import { colourFor } from "../colour/modes";
import { toCss } from "../colour/scales";
import type { I18n, MessageKey } from "../i18n";
import { Disposer, emit, h, listen } from "./dom";

type Row = [MessageKey, string | Node, string?];

export class RoomCardPanel extends EventTarget {
  readonly root: HTMLElement;
  private readonly disposer = new Disposer();
  private card: RoomCard | null = null;
  private role: Role | null = null;

  constructor(parent: HTMLElement, private readonly i18n: I18n) {
    super();
    this.root = h("aside", { class: "card", id: "room-card", hidden: true, "aria-live": "polite" });
    parent.append(this.root);
    this.disposer.add(listen(this.root, "click", (event) => {
      if ((event.target as HTMLElement).closest(".close")) emit(this, "close", null);
    }));
  }

  get globalId(): string | null {
    return this.card?.global_id ?? null;
  }

  show(card: RoomCard | RoomRow, role: Role | null): void {
    this.card = card;
    this.role = role;
    this.render();
  }

  hide(): void {
    this.card = null;
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  render(): void {
    const card = this.card;
    if (!card) return;
    const t = this.i18n.t.bind(this.i18n);
    const swatch = h("span", { class: "swatch", style: `background:${toCss(colourFor("category", card))}` });
    const rows: Row[] = [
      ["card.building", `${card.building ?? ""} · ${card.storey ?? ""}`],
      ["card.measured", this.i18n.area(card.measured_area_m2), "measured"],
      ["card.declared", this.i18n.area(card.declared_area_m2), "declared"],
      ["card.source", card.declared_area_source ?? t("card.none"), "source"],
      ["card.deviation", this.i18n.pct(card.deviation_pct), "deviation"],
      ["card.category", h("span", {}, swatch, this.i18n.category(card.category)), "category"],
    ];
    if ("unit_name" in card || "unit_id" in card) rows.push(["card.unit", card.unit_name ?? (card.unit_id ? String(card.unit_id) : t("card.none")), "unit"]);
    rows.push(["card.useStatus", card.use_status ? this.i18n.maybe(`use_status.${card.use_status}`, card.use_status) : t("card.none"), "use_status"]);
    if ("compliance" in card) rows.push(["card.compliance", card.compliance ? this.i18n.maybe(`compliance.${card.compliance}`, card.compliance) : t("card.none"), "compliance"]);
    if (card.height_m !== null && card.height_m !== undefined) rows.push(["card.height", `${card.height_m.toFixed(2)} m`]);
    const full = card as RoomCard;
    if (full.remarks) rows.push(["card.remarks", full.remarks]);
    const table = h(
      "dl",
      { class: "fields" },
      rows.flatMap(([key, value, field]) => [h("dt", {}, t(key)), h("dd", { "data-field": field }, value)]),
    );
    const measured = table.querySelector<HTMLElement>('[data-field="measured"]');
    if (measured && card.measured_area_m2 !== null) measured.dataset.value = String(card.measured_area_m2);
    const declared = table.querySelector<HTMLElement>('[data-field="declared"]');
    if (declared && card.declared_area_m2 !== null) declared.dataset.value = String(card.declared_area_m2);
    const sections = [
      h("header", {},
        h("h2", {}, h("span", { class: "number", "data-field": "number" }, card.number ?? ""), " ", h("span", { "data-field": "name" }, card.name ?? "")),
        h("button", { class: "close", title: t("card.close"), "aria-label": t("card.close") }, "×")),
      table,
      this.occupants(card.occupants),
      this.warnings(card),
      this.inspections(full.inspections),
      this.declaredAreas(full),
      this.history(full.history),
    ].filter((node): node is HTMLElement => node !== null);
    this.root.replaceChildren(...sections);
    this.root.dataset.globalId = card.global_id;
    this.root.hidden = false;
  }

  private occupants(occupants: Occupant[] | undefined): HTMLElement | null {
    if (!occupants?.length) return null;
    const t = this.i18n.t.bind(this.i18n);
    // the API leaves names out for the viewer role; never show them for it even if they were sent
    const showNames = this.role !== "viewer" && occupants.some((o) => o.name);
    return h("section", { class: "occupants" },
      h("h3", {}, t("card.occupants")),
      h("table", {},
        h("tr", {}, showNames ? h("th", {}, t("card.personName")) : null, h("th", {}, t("card.rank")), h("th", {}, t("card.standard")), h("th", {}, t("card.since"))),
        occupants.map((o) => h("tr", { "data-occupancy-id": o.occupancy_id ?? "" },
          showNames ? h("td", { title: o.title ?? "" }, o.name ?? t("card.hiddenName"), o.title ? h("div", { class: "muted" }, o.title) : null) : null,
          h("td", {}, o.rank ? this.i18n.maybe(`finder.rank.${o.rank}`, o.rank) : t("card.none"), o.status && o.status !== "active" ? h("div", { class: "muted" }, o.status) : null),
          h("td", {}, this.i18n.area(o.standard_m2)),
          h("td", {}, o.since ?? t("card.none"))))));
  }

  private warnings(card: RoomRow): HTMLElement | null {
    if (!card.warnings?.length) return null;
    return h("section", { class: "warnings" },
      h("h3", {}, this.i18n.t("card.warnings")),
      h("ul", {}, card.warnings.map((w) => h("li", { class: `severity-${w.severity}`, title: this.i18n.pick(w.title, w.title_en) || w.rule, "data-warning-id": w.id },
        this.i18n.pick(w.message, w.message_en)))));
  }

  private inspections(inspections: Inspection[] | undefined): HTMLElement | null {
    if (!inspections?.length) return null;
    return h("section", { class: "inspections" },
      h("h3", {}, this.i18n.t("card.inspections")),
      h("ul", {}, inspections.slice(0, 10).map((i) => h("li", { class: i.severity ? `severity-${i.severity}` : "" },
        i.at ? h("time", {}, i.at.replace("T", " ").slice(0, 16)) : null, ` ${i.finding ?? ""}`,
        i.surveyed_area_m2 ? ` (${this.i18n.area(i.surveyed_area_m2)})` : "", i.inspector ? ` · ${i.inspector}` : ""))));
  }

  private declaredAreas(card: RoomCard): HTMLElement | null {
    if (!card.declared_areas?.length) return null;
    return h("section", { class: "declared-areas" },
      h("h3", {}, this.i18n.t("card.declaredAreas")),
      h("ul", {}, card.declared_areas.map((d) => h("li", {}, `${d.kind}: ${this.i18n.area(d.value_m2)} (${d.source ?? d.origin ?? ""})`))));
  }

  private history(history: HistoryEntry[] | undefined): HTMLElement | null {
    if (!history?.length) return null;
    return h("section", { class: "history" },
      h("h3", {}, this.i18n.t("card.history")),
      h("ul", {}, history.slice(0, 20).map((entry) => h("li", {},
        h("time", {}, entry.at.replace("T", " ").slice(0, 16)), ` ${entry.action}`,
        entry.actor ? ` · ${entry.actor}` : "",
        entry.changes ? h("div", { class: "muted" }, summariseChanges(entry.changes)) : null))));
  }

  dispose(): void {
    this.disposer.dispose();
    this.root.remove();
  }
}

/** "field: old → new; ..." from a history entry's changes. */
export function summariseChanges(changes: Record<string, unknown>): string {
  return Object.entries(changes)
    .map(([field, value]) => (Array.isArray(value) && value.length === 2 ? `${field}: ${String(value[0])} → ${String(value[1])}` : `${field}: ${JSON.stringify(value)}`))
    .join("; ");
}
