/** Compare two model versions of a building (rooms added, removed, changed) and list the largest deviations.
 * Fires "room" (RoomChoice) and "result" (the Comparison shown, or null). Loads only once its tab is open. */
import type { ApiClient } from "../api/client";
import { NotFoundError } from "../api/client";
import type { Building, CompareRow, Comparison, ModelVersion } from "../api/types";
import type { I18n, MessageKey } from "../i18n";
import { DeviationTable } from "./deviations";
import { Disposer, emit, h, listen, onEvent } from "./dom";
import type { RoomChoice } from "./explorer";

/** Room fields of a comparison named like the room card's. */
const FIELD_KEYS: Record<string, MessageKey> = {
  number: "card.number", name: "card.name", measured_area_m2: "card.measured", declared_area_m2: "card.declared",
  category: "card.category", storey: "card.storey", height_m: "card.height", volume_m3: "card.volume",
};

export class ComparePanel extends EventTarget {
  readonly root: HTMLElement;
  readonly deviations: DeviationTable;
  private readonly disposer = new Disposer();
  private readonly diff: HTMLElement;
  private building: Building | null = null;
  private versions: ModelVersion[] | null = null;
  private result: Comparison | null = null;
  private unavailable = false;
  private loaded = false;
  private busy = false;
  private seq = 0;
  visible = false;

  constructor(parent: HTMLElement, private readonly api: ApiClient, private readonly i18n: I18n) {
    super();
    this.diff = h("section", { class: "diff", id: "compare" });
    this.root = h("div", { class: "panel compare" }, this.diff);
    parent.append(this.root);
    this.deviations = new DeviationTable(this.root, api, i18n);
    this.disposer.add(onEvent<RoomChoice>(this.deviations, "room", (choice) => emit(this, "room", choice)));
    this.disposer.add(listen(this.diff, "submit", (event) => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      void this.run(Number((form.elements.namedItem("from") as HTMLSelectElement).value), Number((form.elements.namedItem("to") as HTMLSelectElement).value));
    }));
    this.disposer.add(listen(this.diff, "click", (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>("[data-global-id]");
      if (row && this.building) emit<RoomChoice>(this, "room", { globalId: row.dataset.globalId!, buildingId: this.building.id, storeyId: null });
    }));
  }

  get comparison(): Comparison | null {
    return this.result;
  }

  /** A new building: forget the old one's versions and result; load again when the tab is (or gets) open. */
  async setBuilding(building: Building | null): Promise<void> {
    this.building = building;
    this.versions = null;
    this.unavailable = false;
    this.loaded = false;
    this.seq += 1;
    if (this.result) {
      this.result = null;
      emit<Comparison | null>(this, "result", null);
    }
    this.render();
    if (this.visible) await this.load();
  }

  /** The tab was opened. */
  async activate(): Promise<void> {
    this.visible = true;
    if (!this.loaded && this.building) await this.load();
  }

  deactivate(): void {
    this.visible = false;
  }

  /** Versions of the building's model, the default comparison (the last two) and the deviation table. */
  private async load(): Promise<void> {
    this.loaded = true;
    const building = this.building;
    const seq = this.seq;
    void this.deviations.load(building?.id);
    if (!building?.model_id) {
      this.render();
      return;
    }
    try {
      const versions = await this.api.versions(building.model_id);
      if (seq !== this.seq) return;
      this.versions = [...versions].sort((a, b) => a.seq - b.seq);
    } catch {
      if (seq !== this.seq) return;
      this.unavailable = true;
    }
    this.render();
    const v = this.versions ?? [];
    if (v.length >= 2) await this.run(v[v.length - 2]!.seq, v[v.length - 1]!.seq);
  }

  private async run(from: number, to: number): Promise<void> {
    if (!this.building?.model_id) return;
    const seq = this.seq;
    this.busy = true;
    this.render();
    try {
      const result = await this.api.compare(this.building.model_id, from, to);
      if (seq !== this.seq) return;
      this.result = { ...result, from_version: result.from_version ?? from, to_version: result.to_version ?? to };
    } catch (error) {
      if (seq !== this.seq) return;
      this.result = null;
      if (error instanceof NotFoundError) this.unavailable = true;
    }
    this.busy = false;
    this.render();
    emit<Comparison | null>(this, "result", this.result);
  }

  render(): void {
    const t = this.i18n.t.bind(this.i18n);
    const parts: (Node | null)[] = [h("h3", {}, t("compare.title"))];
    if (!this.building) parts.push(h("p", { class: "muted" }, t("compare.noModel")));
    else if (this.unavailable) parts.push(h("p", { class: "muted" }, t("compare.unavailable")));
    else if (this.versions && this.versions.length < 2) parts.push(h("p", { class: "muted", id: "compare-single" }, t("compare.single")));
    else if (this.versions) parts.push(this.form(this.versions));
    if (this.busy) parts.push(h("p", { class: "muted" }, t("app.loading")));
    else if (this.result) parts.push(this.table(this.result));
    this.diff.replaceChildren(...parts.filter((p): p is Node => p !== null));
    this.deviations.render();
  }

  private form(versions: ModelVersion[]): HTMLElement {
    const t = this.i18n.t.bind(this.i18n);
    // versions are named by their sequence number within the model (1, 2, ...), as ingest reports them
    const options = (selected: number) => versions.map((v) => h("option", { value: v.seq, selected: v.seq === selected }, `v${v.seq} ${v.filename ?? ""} ${v.ingested_at.slice(0, 10)}`));
    const last = this.result?.to_version ?? versions[versions.length - 1]?.seq ?? 0;
    const previous = this.result?.from_version ?? versions[versions.length - 2]?.seq ?? last;
    return h("form", { class: "compare-form" },
      h("label", {}, t("compare.from"), h("select", { name: "from" }, options(previous))),
      h("label", {}, t("compare.to"), h("select", { name: "to" }, options(last))),
      h("button", { type: "submit" }, t("compare.run")));
  }

  private table(result: Comparison): HTMLElement {
    const t = this.i18n.t.bind(this.i18n);
    const rowList = (rows: CompareRow[], cls: string) => h("ul", { class: cls }, rows.map((r) => h("li", { "data-global-id": r.global_id, tabindex: 0 },
      h("strong", {}, r.number ?? ""), ` ${r.name ?? ""} · ${r.storey ?? ""} · ${this.i18n.area(r.measured_area_m2)}`)));
    const value = (v: unknown): string => (v === null || v === undefined ? "—" : typeof v === "number" ? String(Math.round(v * 100) / 100) : String(v));
    const nothing = !result.added.length && !result.removed.length && !result.changed.length;
    return h("div", { class: "compare-result", id: "compare-result", "data-from": result.from_version ?? "", "data-to": result.to_version ?? "" },
      nothing ? h("p", { class: "muted" }, t("compare.none")) : null,
      h("h4", {}, h("span", { class: "swatch added" }), `${t("compare.added")} (${result.added.length})`), rowList(result.added, "added"),
      h("h4", {}, `${t("compare.removed")} (${result.removed.length})`), rowList(result.removed, "removed"),
      result.removed.length ? h("p", { class: "muted hint" }, t("compare.removedHint")) : null,
      h("h4", {}, h("span", { class: "swatch changed" }), `${t("compare.changed")} (${result.changed.length})`),
      result.changed.length === 0 ? null : h("table", { class: "data changed" },
        h("tr", {}, h("th", {}, t("card.number")), h("th", {}, t("compare.field")), h("th", {}, t("compare.old")), h("th", {}, t("compare.new"))),
        result.changed.flatMap((c) => Object.entries(c.changes).map(([field, pair]) => {
          const [before, after] = Array.isArray(pair) ? pair : [undefined, pair];
          return h("tr", { "data-global-id": c.global_id },
            h("td", {}, c.number ?? ""), h("td", {}, FIELD_KEYS[field] ? t(FIELD_KEYS[field]) : field), h("td", {}, value(before)), h("td", {}, value(after)));
        }))),
      result.unchanged !== undefined ? h("p", { class: "muted" }, t("compare.unchanged", { count: result.unchanged })) : null);
  }

  dispose(): void {
    this.seq += 1;
    this.disposer.dispose();
    this.deviations.dispose();
    this.root.remove();
  }
}
