/** Active warnings of the rules engine: severity, title, message, room; filter by severity and rule,
 * a click jumps to the room, acknowledge / reopen where the role allows. Fires "room" and "count". */
import type { ApiClient } from "../api/client";
import type { Role, Severity, Warning, WarningQuery } from "../api/types";
import type { I18n, MessageKey } from "../i18n";
import type { RoomDirectory } from "../state/rooms";
import { Disposer, emit, h, listen } from "./dom";
import type { RoomChoice } from "./explorer";

const SEVERITIES: Severity[] = ["critical", "warning", "info"];
const PAGE = 200;
const ACK_ROLES: (Role | null)[] = ["admin", "inspector", "unit_manager"];

export class WarningsPanel extends EventTarget {
  readonly root: HTMLElement;
  private readonly disposer = new Disposer();
  private readonly list: HTMLElement;
  private readonly head: HTMLElement;
  private items: Warning[] = [];
  private total = 0;
  /** Total of the current filter (the badge shows the unfiltered total). */
  private shownTotal = 0;
  private rules = new Map<string, { title: string | null | undefined; title_en: string | null | undefined }>();
  private filter: { severity?: Severity; rule?: string } = {};
  private role: Role | null = null;
  private loaded = false;
  private loading: Promise<void> | null = null;
  private error: string | null = null;
  private seq = 0;
  visible = false;

  constructor(parent: HTMLElement, private readonly api: ApiClient, private readonly i18n: I18n, private readonly rooms: RoomDirectory) {
    super();
    this.head = h("div", { class: "warnings-head" });
    this.list = h("ul", { class: "warning-list", id: "warning-list" });
    this.root = h("div", { class: "panel warnings-panel", id: "warnings" }, this.head, this.list);
    parent.append(this.root);
    this.disposer.add(listen(this.root, "change", (event) => {
      const select = event.target as HTMLSelectElement;
      if (select.name === "severity") this.filter.severity = (select.value || undefined) as Severity | undefined;
      else if (select.name === "rule") this.filter.rule = select.value || undefined;
      else return;
      void this.load();
    }));
    this.disposer.add(listen(this.root, "click", (event) => this.onClick(event)));
    this.disposer.add(listen(this.list, "keydown", (event) => {
      if (event.key === "Enter") (event.target as HTMLElement).closest<HTMLElement>("li.warning")?.click();
    }));
    this.render();
  }

  setRole(role: Role | null): void {
    this.role = role;
    this.render();
  }

  get canAcknowledge(): boolean {
    return ACK_ROLES.includes(this.role);
  }

  /** Just the number of active warnings (for the tab badge), without the list. */
  async count(): Promise<number | null> {
    try {
      const page = await this.api.warnings({ status: "active", limit: 1 });
      if (!this.loaded) {
        this.total = page.total;
        emit(this, "count", page.total);
      }
      return page.total;
    } catch {
      return null;
    }
  }

  /** The tab was opened: load once (later openings keep the list). */
  activate(): Promise<void> {
    this.visible = true;
    if (!this.loaded && !this.loading) void this.load();
    return this.loading ?? Promise.resolve();
  }

  deactivate(): void {
    this.visible = false;
  }

  /** (Re)load the first page with the current filters. */
  load(): Promise<void> {
    this.loading = this.fetch(0).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async fetch(offset: number): Promise<void> {
    const seq = ++this.seq;
    const query: WarningQuery = { status: "active", severity: this.filter.severity, rule: this.filter.rule, offset, limit: PAGE };
    try {
      const page = await this.api.warnings(query);
      if (seq !== this.seq) return;
      this.items = offset ? [...this.items, ...page.items] : page.items;
      this.error = null;
      if (!this.filter.severity && !this.filter.rule) {
        this.total = page.total;
        emit(this, "count", page.total);
      }
      for (const w of page.items) if (!this.rules.has(w.rule)) this.rules.set(w.rule, { title: w.title, title_en: w.title_en });
      this.shownTotal = page.total;
    } catch (error) {
      if (seq !== this.seq) return;
      this.error = error instanceof Error ? error.message : String(error);
    }
    this.loaded = true;
    this.render();
    this.resolveRooms();
  }

  render(): void {
    const t = this.i18n.t.bind(this.i18n);
    const severity = h("select", { name: "severity", "aria-label": t("warnings.severity") },
      h("option", { value: "" }, t("warnings.allSeverities")),
      SEVERITIES.map((s) => h("option", { value: s, selected: this.filter.severity === s }, t(`severity.${s}` as MessageKey))));
    const rule = h("select", { name: "rule", "aria-label": t("warnings.rule") },
      h("option", { value: "" }, t("warnings.allRules")),
      [...this.rules.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([code, titles]) =>
        h("option", { value: code, selected: this.filter.rule === code }, this.i18n.pick(titles.title, titles.title_en) || code)));
    const refresh = this.role === "admin" || this.role === "inspector"
      ? h("button", { type: "button", "data-action": "refresh", title: t("warnings.refresh") }, "⟳")
      : null;
    this.head.replaceChildren(
      h("h3", {}, t("warnings.title"), h("span", { class: "badge-count", id: "warnings-total" }, String(this.total))),
      h("div", { class: "warning-filters" }, severity, rule, refresh),
      h("p", { class: "muted count-line" }, this.loaded && !this.error ? t("warnings.count", { shown: this.items.length, total: this.shownTotal }) : ""),
    );
    if (this.error) {
      this.list.replaceChildren(h("li", { class: "empty error" }, t("warnings.error", { message: this.error })));
      return;
    }
    if (!this.loaded) {
      this.list.replaceChildren();
      return;
    }
    if (!this.items.length) {
      this.list.replaceChildren(h("li", { class: "empty muted" }, t("warnings.empty")));
      return;
    }
    this.list.replaceChildren(...this.items.map((w) => this.item(w)),
      ...(this.items.length < this.shownTotal ? [h("li", { class: "more" }, h("button", { type: "button", "data-action": "more" }, t("warnings.more")))] : []));
  }

  private item(w: Warning): HTMLElement {
    const t = this.i18n.t.bind(this.i18n);
    const sev = SEVERITIES.includes(w.severity as Severity) ? (w.severity as Severity) : "info";
    const gid = w.room_global_id ?? null;
    const subject = gid
      ? h("span", { class: "w-room" }, this.roomLabel(gid))
      : h("span", { class: "w-subject muted" }, w.subject_kind === "unit" ? t("warnings.unit") : w.subject_kind === "person" ? t("warnings.person") : "");
    const acknowledged = w.status === "acknowledged";
    const title = this.i18n.pick(w.title, w.title_en) || w.rule;
    const message = this.i18n.pick(w.message, w.message_en);
    const action = this.canAcknowledge
      ? h("button", { type: "button", class: "w-ack", "data-action": acknowledged ? "reopen" : "ack" }, t(acknowledged ? "warnings.reopen" : "warnings.ack"))
      : null;
    return h("li", {
      class: `warning severity-${sev}${acknowledged ? " acknowledged" : ""}${gid ? " has-room" : ""}`,
      "data-warning-id": w.id, "data-rule": w.rule, "data-room-global-id": gid ?? undefined, tabindex: gid ? 0 : undefined,
    },
      h("div", { class: "w-line" },
        h("span", { class: `sev-badge sev-${sev}` }, t(`severity.${sev}` as MessageKey)),
        h("strong", { class: "w-title" }, title),
        subject),
      // the viewer role gets generic messages, the same as the title: shown once
      message === title ? null : h("p", { class: "w-message" }, message),
      h("div", { class: "w-foot" },
        h("span", { class: "w-status muted" }, this.i18n.maybe(`warningStatus.${w.status ?? "open"}`, String(w.status ?? ""))),
        action));
  }

  private roomLabel(globalId: string): string {
    const ref = this.rooms.get(globalId);
    return ref?.number ? this.i18n.t("warnings.room", { number: ref.number }) : this.i18n.t("warnings.roomUnknown");
  }

  /** Room numbers of the listed warnings not known yet: fetched a few at a time while the panel is open. */
  private resolveRooms(): void {
    if (!this.visible) return;
    const seq = this.seq;
    const missing = new Set(this.items.map((w) => w.room_global_id).filter((id): id is string => !!id && !this.rooms.get(id)));
    for (const id of missing) {
      void this.rooms.resolve(id).then((ref) => {
        if (!ref || seq !== this.seq) return;
        for (const node of this.list.querySelectorAll<HTMLElement>("li.warning[data-room-global-id]")) {
          if (node.dataset.roomGlobalId === id) {
            const label = node.querySelector(".w-room");
            if (label) label.textContent = this.roomLabel(id);
          }
        }
      });
    }
  }

  private onClick(event: MouseEvent): void {
    const target = event.target as HTMLElement;
    const button = target.closest<HTMLButtonElement>("button[data-action]");
    if (button) {
      const action = button.dataset.action;
      if (action === "more") void this.fetch(this.items.length);
      else if (action === "refresh") void this.refresh();
      else {
        const id = Number(button.closest<HTMLElement>("li.warning")?.dataset.warningId);
        if (id) void this.setStatus(id, action === "ack" ? "acknowledged" : "open", button);
      }
      return;
    }
    const item = target.closest<HTMLElement>("li.warning[data-room-global-id]");
    if (item) void this.jump(item.dataset.roomGlobalId!, item);
  }

  private async jump(globalId: string, item: HTMLElement): Promise<void> {
    for (const node of this.list.querySelectorAll("li.warning.current")) node.classList.remove("current");
    item.classList.add("current");
    const ref = await this.rooms.resolve(globalId);
    if (!ref) return;
    emit<RoomChoice>(this, "room", { globalId, buildingId: ref.buildingId, storeyId: ref.storeyId });
  }

  private async setStatus(id: number, status: "open" | "acknowledged", button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const updated = await this.api.setWarningStatus(id, status);
      this.items = this.items.map((w) => (w.id === id ? { ...w, ...updated, room_global_id: updated.room_global_id ?? w.room_global_id } : w));
      this.render();
    } catch (error) {
      button.disabled = false;
      button.title = error instanceof Error ? error.message : String(error);
    }
  }

  private async refresh(): Promise<void> {
    try {
      const report = await this.api.refreshWarnings();
      await this.load();
      const line = this.head.querySelector(".count-line");
      if (line) line.textContent += ` · ${this.i18n.t("warnings.refreshed", report)}`;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      this.render();
    }
  }

  dispose(): void {
    this.seq += 1;
    this.disposer.dispose();
    this.root.remove();
  }
}
