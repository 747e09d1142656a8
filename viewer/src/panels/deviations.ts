/** Table of the rooms with the largest declared-vs-measured deviation; a row jumps to its room. */
import type { ApiClient } from "../api/client";
import type { RoomRow } from "../api/types";
import { deviationColour, toCss } from "../colour/scales";
import type { I18n } from "../i18n";
import type { RoomChoice } from "./explorer";
import { Disposer, emit, h, listen } from "./dom";

export class DeviationTable extends EventTarget {
  readonly root: HTMLElement;
  private readonly disposer = new Disposer();
  private rows: RoomRow[] = [];
  private loaded = false;
  private seq = 0;

  constructor(parent: HTMLElement, private readonly api: ApiClient, private readonly i18n: I18n) {
    super();
    this.root = h("section", { class: "deviations", id: "deviations" });
    parent.append(this.root);
    this.disposer.add(listen(this.root, "click", (event) => {
      const row = (event.target as HTMLElement).closest<HTMLElement>("tr[data-global-id]");
      if (!row) return;
      emit<RoomChoice>(this, "room", {
        globalId: row.dataset.globalId!,
        buildingId: Number(row.dataset.buildingId),
        storeyId: row.dataset.storeyId ? Number(row.dataset.storeyId) : null,
      });
    }));
  }

  /** Fetch the 50 largest deviations (optionally of one building). */
  async load(buildingId?: number): Promise<void> {
    const seq = ++this.seq; // only the latest request's answer is shown
    let rows: RoomRow[];
    try {
      const page = await this.api.rooms({ sort: "-deviation", limit: 50, building_id: buildingId });
      rows = page.items.filter((r) => r.deviation_pct !== null);
    } catch {
      rows = [];
    }
    if (seq !== this.seq) return;
    this.rows = rows;
    this.loaded = true;
    this.render();
  }

  render(): void {
    const t = this.i18n.t.bind(this.i18n);
    if (!this.loaded) return;
    const body = this.rows.length
      ? h("table", { class: "data" },
          h("thead", {}, h("tr", {},
            h("th", {}, t("deviations.number")), h("th", {}, t("card.name")),
            h("th", { class: "num" }, t("card.measured")), h("th", { class: "num" }, t("card.declared")), h("th", { class: "num" }, t("card.deviation")))),
          h("tbody", {}, this.rows.map((r) => h("tr", {
            "data-global-id": r.global_id, "data-building-id": r.building_id, "data-storey-id": r.storey_id ?? "", tabindex: 0,
          },
            h("td", {}, r.number ?? ""),
            h("td", {}, r.name ?? "", h("span", { class: "storey", title: r.building ?? "" }, r.storey ?? "")), // the side pane is narrow
            h("td", { class: "num" }, r.measured_area_m2?.toFixed(2) ?? "—"),
            h("td", { class: "num" }, r.declared_area_m2?.toFixed(2) ?? "—"),
            h("td", { class: "num" }, h("span", { class: "swatch", style: `background:${toCss(deviationColour(r.deviation_pct))}` }), this.i18n.pct(r.deviation_pct))))))
      : h("p", { class: "muted" }, t("deviations.empty"));
    this.root.replaceChildren(h("h3", {}, t("deviations.title")), body);
  }

  dispose(): void {
    this.disposer.dispose();
    this.root.remove();
  }
}
