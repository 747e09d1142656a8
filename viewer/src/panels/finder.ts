/** Room finder: head counts per rank (provincial ranks), optionally within the current building or storey;
 * ranked candidates (rooms, area, spare area). Fires "candidate" (a FinderCandidate) and "clear". */
import type { ApiClient } from "../api/client";
import type { FinderCandidate, FinderRequest, FinderResult, Role } from "../api/types";
import type { I18n, MessageKey } from "../i18n";
import { Disposer, emit, h, listen } from "./dom";

/** The ranks of a provincial agency a finder request asks about (keys of the 2014 standard). */
export const PROVINCIAL_RANKS = ["正厅(局)级", "副厅(局)级", "正处级", "副处级", "处级以下"] as const;

export type FinderScope = "all" | "building" | "storey";

/** The request body of a form's values (null: nobody to house). */
export function finderRequest(
  counts: Record<string, number>,
  scope: FinderScope,
  context: { buildingId: number | null; storeyId: number | null },
  maxRooms = 4,
): FinderRequest | null {
  const ranks: Record<string, number> = {};
  for (const [rank, count] of Object.entries(counts)) if (Number.isInteger(count) && count > 0) ranks[rank] = count;
  if (!Object.keys(ranks).length) return null;
  const request: FinderRequest = { ranks, level: "provincial", max_rooms: maxRooms, limit: 10 };
  if (scope === "building" && context.buildingId !== null) request.building_id = context.buildingId;
  if (scope === "storey" && context.storeyId !== null) request.storey_id = context.storeyId;
  return request;
}

export class FinderPanel extends EventTarget {
  readonly root: HTMLElement;
  private readonly disposer = new Disposer();
  private readonly form: HTMLFormElement;
  private readonly results: HTMLElement;
  private result: FinderResult | null = null;
  private message: string | null = null;
  private active: number | null = null;
  private role: Role | null = null;
  private busy = false;
  private values: { counts: Record<string, number>; scope: FinderScope; maxRooms: number } = { counts: {}, scope: "all", maxRooms: 4 };

  constructor(parent: HTMLElement, private readonly api: ApiClient, private readonly i18n: I18n,
              private readonly context: () => { buildingId: number | null; storeyId: number | null }) {
    super();
    this.form = h("form", { class: "finder-form", id: "finder-form" });
    this.results = h("div", { class: "finder-results", id: "finder-results" });
    this.root = h("div", { class: "panel finder", id: "finder" }, this.form, this.results);
    parent.append(this.root);
    this.disposer.add(listen(this.form, "submit", (event) => {
      event.preventDefault();
      void this.run();
    }));
    this.disposer.add(listen(this.form, "input", () => this.readForm()));
    this.disposer.add(listen(this.results, "click", (event) => {
      const target = event.target as HTMLElement;
      if (target.closest("button[data-action=clear]")) {
        this.select(null);
        return;
      }
      const item = target.closest<HTMLElement>("li[data-candidate]");
      if (item) this.select(Number(item.dataset.candidate));
    }));
    this.disposer.add(listen(this.results, "keydown", (event) => {
      if (event.key === "Enter") (event.target as HTMLElement).closest<HTMLElement>("li[data-candidate]")?.click();
    }));
    this.render();
  }

  setRole(role: Role | null): void {
    this.role = role;
    this.render();
  }

  /** The candidate shown in 3D, if any. */
  get current(): FinderCandidate | null {
    return this.active === null ? null : (this.result?.candidates[this.active] ?? null);
  }

  private readForm(): void {
    const data = new FormData(this.form);
    const counts: Record<string, number> = {};
    PROVINCIAL_RANKS.forEach((rank, i) => {
      counts[rank] = Math.max(0, Math.floor(Number(data.get(`rank-${i}`) ?? 0) || 0));
    });
    this.values = { counts, scope: (data.get("scope") as FinderScope | null) ?? "all", maxRooms: Number(data.get("max_rooms") ?? 4) || 4 };
  }

  async run(): Promise<void> {
    this.readForm();
    const request = finderRequest(this.values.counts, this.values.scope, this.context(), this.values.maxRooms);
    this.select(null);
    if (!request) {
      this.result = null;
      this.message = this.i18n.t("finder.needPeople");
      this.renderResults();
      return;
    }
    this.busy = true;
    this.renderResults();
    try {
      this.result = await this.api.finder(request);
      this.message = null;
    } catch (error) {
      this.result = null;
      this.message = this.i18n.t("finder.error", { message: error instanceof Error ? error.message : String(error) });
    }
    this.busy = false;
    this.renderResults();
  }

  private select(index: number | null): void {
    const same = index === this.active;
    this.active = index;
    for (const node of this.results.querySelectorAll<HTMLElement>("li[data-candidate]")) node.classList.toggle("on", Number(node.dataset.candidate) === index);
    const candidate = this.current;
    if (candidate) emit(this, "candidate", candidate);
    else if (!same || index === null) emit(this, "clear", null);
  }

  render(): void {
    const t = this.i18n.t.bind(this.i18n);
    if (this.role === "viewer") {
      this.form.replaceChildren(h("h3", {}, t("finder.title")), h("p", { class: "muted" }, t("finder.forbidden")));
      this.results.replaceChildren();
      return;
    }
    const v = this.values;
    const scopes: FinderScope[] = ["all", "building", "storey"];
    const scopeKey: Record<FinderScope, MessageKey> = { all: "finder.scopeAll", building: "finder.scopeBuilding", storey: "finder.scopeStorey" };
    this.form.replaceChildren(
      h("h3", {}, t("finder.title")),
      h("p", { class: "muted" }, t("finder.intro")),
      h("div", { class: "ranks" }, PROVINCIAL_RANKS.map((rank, i) => h("label", {},
        h("span", {}, t(`finder.rank.${rank}` as MessageKey)),
        h("input", { type: "number", name: `rank-${i}`, "data-rank": rank, min: 0, max: 999, step: 1, value: v.counts[rank] || "", placeholder: "0", inputmode: "numeric" })))),
      h("label", { class: "inline" }, t("finder.scope"),
        h("select", { name: "scope" }, scopes.map((s) => h("option", { value: s, selected: v.scope === s }, t(scopeKey[s]))))),
      h("label", { class: "inline" }, t("finder.maxRooms"),
        h("select", { name: "max_rooms" }, [1, 2, 3, 4, 5, 6].map((n) => h("option", { value: n, selected: v.maxRooms === n }, String(n))))),
      h("button", { type: "submit", class: "primary" }, t("finder.run")),
    );
    this.renderResults();
  }

  private renderResults(): void {
    const t = this.i18n.t.bind(this.i18n);
    if (this.busy) {
      this.results.replaceChildren(h("p", { class: "muted" }, t("app.loading")));
      return;
    }
    if (this.message) {
      this.results.replaceChildren(h("p", { class: "muted" }, this.message));
      return;
    }
    const result = this.result;
    if (!result) {
      this.results.replaceChildren();
      return;
    }
    const head = h("p", { class: "required" }, t("finder.required", { area: this.i18n.area(result.required_m2), people: result.people }));
    if (!result.candidates.length) {
      this.results.replaceChildren(head, h("p", { class: "muted" }, t("finder.none")));
      return;
    }
    this.results.replaceChildren(head,
      h("ol", { class: "candidates" }, result.candidates.map((c, i) => h("li", { "data-candidate": i, class: i === this.active ? "on" : "", tabindex: 0 },
        h("div", { class: "c-place" }, `${c.building ?? ""} · ${c.storey ?? ""}`, h("span", { class: "count" }, t("finder.rooms", { count: c.rooms.length }))),
        h("div", { class: "c-rooms" }, c.rooms.map((r) => h("span", { class: "c-room", "data-global-id": r.global_id, title: r.name ?? "" },
          `${r.number ?? ""} (${r.area_m2.toFixed(1)})`))),
        h("div", { class: "c-areas" },
          h("span", {}, `${t("finder.area")} ${this.i18n.area(c.area_m2)}`),
          h("span", { class: "waste" }, `${t("finder.waste")} ${this.i18n.area(c.waste_m2)}`))))),
      h("button", { type: "button", "data-action": "clear" }, t("finder.clear")));
  }

  dispose(): void {
    this.disposer.dispose();
    this.root.remove();
  }
}
