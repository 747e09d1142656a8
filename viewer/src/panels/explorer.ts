/** Explorer: campus → building → storey tree and a room search; fires "building", "storey", "room". */
import type { ApiClient } from "../api/client";
import type { Building, Campus, RoomRow, Storey } from "../api/types";
import type { I18n } from "../i18n";
import { Disposer, clear, emit, h, listen } from "./dom";

export interface RoomChoice { globalId: string; buildingId: number; storeyId: number | null }

export class ExplorerPanel extends EventTarget {
  readonly root: HTMLDivElement;
  private readonly disposer = new Disposer();
  private readonly tree: HTMLDivElement;
  private readonly results: HTMLUListElement;
  private readonly search: HTMLInputElement;
  private campuses: Campus[] = [];
  private buildings: Building[] = [];
  private storeys = new Map<number, Storey[]>();
  private current: { building?: number; storey?: number } = {};
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  private searchSeq = 0;

  constructor(parent: HTMLElement, private readonly api: ApiClient, private readonly i18n: I18n) {
    super();
    this.search = h("input", { type: "search", id: "search", class: "search", autocomplete: "off" });
    this.results = h("ul", { class: "search-results", id: "search-results" });
    this.tree = h("div", { class: "tree", id: "tree" });
    this.root = h("div", { class: "panel explorer" }, this.search, this.results, this.tree);
    parent.append(this.root);
    this.disposer.add(listen(this.search, "input", () => this.scheduleSearch()));
    this.disposer.add(listen(this.search, "keydown", (event) => {
      if (event.key === "Enter") {
        const first = this.results.querySelector<HTMLElement>(".search-result");
        first?.click();
      }
    }));
    this.disposer.add(listen(this.tree, "click", (event) => this.onTreeClick(event)));
    this.render();
  }

  setData(campuses: Campus[], buildings: Building[]): void {
    this.campuses = campuses;
    this.buildings = buildings;
    this.render();
  }

  setStoreys(buildingId: number, storeys: Storey[]): void {
    this.storeys.set(buildingId, storeys);
    this.render();
  }

  setCurrent(current: { building?: number; storey?: number }): void {
    this.current = current;
    this.render();
  }

  render(): void {
    this.search.placeholder = this.i18n.t("explorer.search");
    clear(this.tree);
    const name = (value: string | null | undefined): string => value || this.i18n.t("explorer.unnamed");
    for (const campus of this.campuses) {
      const buildings = this.buildings.filter((b) => b.campus_id === campus.id);
      const items = buildings.map((building) => {
        const open = this.current.building === building.id;
        const storeys = open ? [...(this.storeys.get(building.id) ?? [])].sort((a, b) => (b.elevation_m ?? 0) - (a.elevation_m ?? 0)) : [];
        return h(
          "li",
          {},
          h(
            "button",
            { class: `node building${open ? " current" : ""}`, "data-building-id": building.id, title: building.long_name ?? "" },
            name(building.name ?? building.long_name),
            h("span", { class: "count" }, this.i18n.t("explorer.rooms", { count: building.rooms })),
          ),
          storeys.length
            ? h(
                "ul",
                {},
                storeys.map((storey) =>
                  h(
                    "li",
                    {},
                    h(
                      "button",
                      { class: `node storey${this.current.storey === storey.id ? " current" : ""}`, "data-storey-id": storey.id },
                      `${name(storey.name)}${storey.long_name ? ` ${storey.long_name}` : ""}`,
                      h("span", { class: "count" }, this.i18n.t("explorer.rooms", { count: storey.rooms })),
                    ),
                  ),
                ),
              )
            : null,
        );
      });
      this.tree.append(
        h("details", { open: true, class: "campus", "data-campus-id": campus.id },
          h("summary", { title: campus.long_name ?? "" }, name(campus.name), h("span", { class: "count" }, this.i18n.t("explorer.rooms", { count: campus.rooms }))),
          h("ul", {}, items)),
      );
    }
  }

  private onTreeClick(event: MouseEvent): void {
    const node = (event.target as HTMLElement).closest<HTMLElement>("button.node");
    if (!node) return;
    if (node.dataset.buildingId) emit(this, "building", Number(node.dataset.buildingId));
    else if (node.dataset.storeyId) emit(this, "storey", Number(node.dataset.storeyId));
  }

  private scheduleSearch(): void {
    if (this.searchTimer !== null) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.runSearch(this.search.value.trim()), 200);
  }

  private async runSearch(q: string): Promise<void> {
    const seq = ++this.searchSeq;
    if (!q) {
      clear(this.results);
      return;
    }
    let rows: RoomRow[] = [];
    try {
      rows = (await this.api.rooms({ q, limit: 20 })).items;
    } catch {
      rows = [];
    }
    if (seq !== this.searchSeq) return;
    clear(this.results);
    if (!rows.length) this.results.append(h("li", { class: "empty" }, this.i18n.t("explorer.noResults")));
    for (const row of rows) {
      const item = h(
        "li",
        { class: "search-result", "data-global-id": row.global_id, tabindex: 0 },
        h("strong", {}, row.number ?? ""),
        " ",
        row.name ?? "",
        h("span", { class: "muted" }, ` ${row.building ?? ""} ${row.storey ?? ""}`),
      );
      item.addEventListener("click", () => {
        emit<RoomChoice>(this, "room", { globalId: row.global_id, buildingId: row.building_id, storeyId: row.storey_id });
        clear(this.results);
      });
      this.results.append(item);
    }
  }

  dispose(): void {
    if (this.searchTimer !== null) clearTimeout(this.searchTimer);
    this.disposer.dispose();
    this.root.remove();
  }
}
