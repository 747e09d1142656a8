/** Compare two model versions of a building (rooms added, removed, changed) and list the largest deviations. */
import type { ApiClient } from "../api/client";
import type { Building, Comparison, ModelVersion, RoomRow } from "../api/types";
import type { I18n } from "../i18n";
import { DeviationTable } from "./deviations";
import { Disposer, emit, h, listen, onEvent } from "./dom";
import type { RoomChoice } from "./explorer";

export class ComparePanel extends EventTarget {
  readonly root: HTMLElement;
  readonly deviations: DeviationTable;
  private readonly disposer = new Disposer();
  private readonly diff: HTMLElement;
  private building: Building | null = null;
  private versions: ModelVersion[] | null = null;
  private result: Comparison | null = null;
  private unavailable = false;

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

  async setBuilding(building: Building | null): Promise<void> {
    this.building = building;
    this.versions = null;
    this.result = null;
    this.unavailable = false;
    this.render();
    void this.deviations.load(building?.id);
    if (!building?.model_id) return;
    try {
      this.versions = await this.api.versions(building.model_id);
    } catch {
      this.unavailable = true;
    }
    this.render();
  }

  private async run(from: number, to: number): Promise<void> {
    if (!this.building?.model_id) return;
    try {
      this.result = await this.api.compare(this.building.model_id, from, to);
    } catch {
      this.unavailable = true;
    }
    this.render();
  }

  render(): void {
    const t = this.i18n.t.bind(this.i18n);
    const parts: (Node | null)[] = [h("h3", {}, t("compare.title"))];
    if (!this.building) parts.push(h("p", { class: "muted" }, t("compare.noModel")));
    else if (this.unavailable) parts.push(h("p", { class: "muted" }, t("compare.unavailable")));
    else if (this.versions) parts.push(this.form(this.versions));
    if (this.result) parts.push(this.table(this.result));
    this.diff.replaceChildren(...parts.filter((p): p is Node => p !== null));
    this.deviations.render();
  }

  private form(versions: ModelVersion[]): HTMLElement {
    const t = this.i18n.t.bind(this.i18n);
    // versions are named by their sequence number within the model (1, 2, ...), as ingest reports them
    const options = (selected: number) => versions.map((v) => h("option", { value: v.seq, selected: v.seq === selected }, `v${v.seq} ${v.filename ?? ""} ${v.ingested_at.slice(0, 10)}`));
    const sorted = [...versions].sort((a, b) => a.seq - b.seq);
    const last = sorted[sorted.length - 1]?.seq ?? 0;
    const previous = sorted[sorted.length - 2]?.seq ?? last;
    return h("form", { class: "compare-form" },
      h("label", {}, t("compare.from"), h("select", { name: "from" }, options(previous))),
      h("label", {}, t("compare.to"), h("select", { name: "to" }, options(last))),
      h("button", { type: "submit" }, t("compare.run")));
  }

  private table(result: Comparison): HTMLElement {
    const t = this.i18n.t.bind(this.i18n);
    const rowList = (rows: RoomRow[], cls: string) => h("ul", { class: cls }, rows.map((r) => h("li", { "data-global-id": r.global_id },
      `${r.number ?? ""} ${r.name ?? ""} · ${this.i18n.area(r.measured_area_m2)}`)));
    return h("div", { class: "compare-result" },
      h("h4", {}, `${t("compare.added")} (${result.added.length})`), rowList(result.added, "added"),
      h("h4", {}, `${t("compare.removed")} (${result.removed.length})`), rowList(result.removed, "removed"),
      h("h4", {}, `${t("compare.changed")} (${result.changed.length})`),
      h("table", { class: "data changed" },
        h("tr", {}, h("th", {}, t("card.number")), h("th", {}, t("compare.field")), h("th", {}, t("compare.old")), h("th", {}, t("compare.new"))),
        result.changed.flatMap((c) => Object.entries(c.changes).map(([field, [before, after]]) => h("tr", { "data-global-id": c.global_id },
          h("td", {}, c.number ?? ""), h("td", {}, field), h("td", {}, String(before ?? "—")), h("td", {}, String(after ?? "—")))))));
  }

  dispose(): void {
    this.disposer.dispose();
    this.deviations.dispose();
    this.root.remove();
  }
}
