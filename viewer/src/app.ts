/** The application: wires the API client, the 3D scene and its tools, the panels and the URL. */
import { ApiClient, NotFoundError, UnauthorisedError } from "./api/client";
import type { Building, Campus, Comparison, FinderCandidate, Me, RoomRow, Storey } from "./api/types";
import type { ColourMode } from "./colour/modes";
import { I18n } from "./i18n";
import { Layout, type Tab } from "./layout";
import { ComparePanel } from "./panels/compare";
import { Disposer, onEvent } from "./panels/dom";
import { ExplorerPanel, type RoomChoice } from "./panels/explorer";
import { FinderPanel } from "./panels/finder";
import { Header } from "./panels/header";
import { LegendPanel } from "./panels/legend";
import { LoginPanel } from "./panels/login";
import { MapPanel } from "./panels/map";
import { PlanPanel } from "./panels/plan";
import { RoomCardPanel } from "./panels/roomCard";
import { Toolbar } from "./panels/toolbar";
import { UploadPanel } from "./panels/upload";
import { WarningsPanel } from "./panels/warnings";
import { type Overlay, compareOverlay, finderOverlay } from "./colour/overlay";
import { SceneTools } from "./sceneTools";
import { RoomRowsLoader } from "./state/roomRows";
import { RoomDirectory } from "./state/rooms";
import { UrlState } from "./state/url";

export class App {
  readonly api = new ApiClient();
  readonly i18n = new I18n();
  readonly url = new UrlState();
  readonly layout: Layout;
  readonly header: Header;
  readonly login: LoginPanel;
  readonly explorer: ExplorerPanel;
  readonly map: MapPanel;
  readonly compare: ComparePanel;
  readonly warnings: WarningsPanel;
  readonly finder: FinderPanel;
  readonly rooms: RoomDirectory;
  readonly scene: SceneTools;
  readonly toolbar: Toolbar;
  readonly legend: LegendPanel;
  readonly card: RoomCardPanel;
  readonly plan: PlanPanel;
  readonly upload: UploadPanel;
  private readonly roomRows: RoomRowsLoader;
  private readonly disposer = new Disposer();
  private me: Me | null = null;
  private campuses: Campus[] = [];
  private buildings: Building[] = [];
  private building: Building | null = null;
  private buildingLoad: Promise<void> | null = null;
  private buildingAsked: number | null = null; // the building last opened, loaded or not yet
  private storeyId: number | null = null;
  private mapLoaded = false;
  private readonly prefetched = new Map<number, Promise<Building>>();
  private readonly storeyBuildings = new Map<number, number>();
  private overlay: "finder" | "compare" | null = null;
  private deferredStarted = false;

  constructor(root: HTMLElement) {
    document.documentElement.lang = this.i18n.lang;
    this.layout = new Layout(root, this.i18n, (tab) => this.onTab(tab));
    this.header = new Header(this.layout.top, this.i18n);
    this.login = new LoginPanel(root.ownerDocument.body, this.api, this.i18n);
    this.explorer = new ExplorerPanel(this.layout.panes.explorer, this.api, this.i18n);
    this.map = new MapPanel(this.layout.panes.map, this.api, this.i18n);
    this.compare = new ComparePanel(this.layout.panes.compare, this.api, this.i18n);
    this.rooms = new RoomDirectory(this.api);
    this.warnings = new WarningsPanel(this.layout.panes.warnings, this.api, this.i18n, this.rooms);
    this.finder = new FinderPanel(this.layout.panes.finder, this.api, this.i18n, () => ({ buildingId: this.building?.id ?? null, storeyId: this.storeyId }));
    this.scene = new SceneTools(this.layout.viewport, this.api);
    this.toolbar = new Toolbar(this.layout.overlay, this.i18n);
    this.legend = new LegendPanel(this.layout.overlay, this.i18n);
    this.plan = new PlanPanel(this.layout.side, this.api, this.i18n, (id) => this.scene.colourer.colourOf(id));
    this.card = new RoomCardPanel(this.layout.side, this.i18n);
    this.upload = new UploadPanel(root.ownerDocument.body, this.api, this.i18n);
    this.roomRows = new RoomRowsLoader(this.api, (rows) => this.addRooms(rows), () => this.scene.firstRoomDrawn());
    this.wire();
  }

  private wire(): void {
    const d = this.disposer;
    d.add(onEvent(this.api, "unauthorised", () => void this.authenticate()));
    const relang = (): void => {
      for (const panel of [this.layout, this.header, this.explorer, this.toolbar, this.legend, this.card, this.compare, this.warnings, this.finder, this.upload]) panel.render();
      this.map.render();
      this.applyOverlay();
      if (this.building) this.header.setStatus(this.i18n.t("status.storeys", this.scene.progress()));
    };
    this.i18n.addEventListener("change", relang);
    d.add(() => this.i18n.removeEventListener("change", relang));
    d.add(onEvent(this.header, "lang", () => this.i18n.toggle()));
    d.add(onEvent(this.header, "upload", () => this.upload.open()));
    d.add(onEvent(this.upload, "rooms", () => void this.refreshLedger())); // the rooms first, the rest when done
    d.add(onEvent(this.upload, "done", () => void this.refreshLedger()));
    d.add(onEvent(this.header, "logout", () => {
      this.api.logout();
      window.location.reload();
    }));
    d.add(onEvent<number>(this.explorer, "building", (id) => void this.openBuilding(id)));
    d.add(onEvent<number>(this.explorer, "storey", (id) => this.chooseStorey(id, true)));
    d.add(onEvent<RoomChoice>(this.explorer, "room", (choice) => void this.openRoom(choice)));
    d.add(onEvent<number>(this.map, "building", (id) => {
      this.layout.show("explorer");
      void this.openBuilding(id);
    }));
    d.add(onEvent<RoomChoice>(this.compare, "room", (choice) => void this.openRoom(choice)));
    d.add(onEvent<Comparison | null>(this.compare, "result", () => this.applyOverlay()));
    d.add(onEvent<RoomChoice>(this.warnings, "room", (choice) => void this.openRoom(choice)));
    d.add(onEvent<number>(this.warnings, "count", (count) => this.layout.setBadge("warnings", count)));
    d.add(onEvent<FinderCandidate>(this.finder, "candidate", (candidate) => void this.showCandidate(candidate)));
    d.add(onEvent<null>(this.finder, "clear", () => this.applyOverlay()));
    d.add(onEvent<string>(this.plan, "select", (id) => void this.selectRoom(id, { fly: true })));
    d.add(onEvent<string>(this.legend, "mode", (mode) => this.setColourMode(mode as ColourMode)));
    d.add(onEvent<null>(this.card, "close", () => void this.selectRoom(null)));
    d.add(onEvent<string | null>(this.scene, "pick", (id) => void this.selectRoom(id)));
    d.add(onEvent<Storey>(this.scene, "storey", () => this.header.setStatus(this.i18n.t("status.storeys", this.scene.progress()))));
    d.add(onEvent<null>(this.scene, "tools", () => this.toolbar.update(this.scene.toolState())));
    d.add(onEvent<null>(this.scene, "camera", () => this.url.update({ camera: this.scene.viewer.getCamera() })));
    this.toolbar.update(this.scene.toolState());
    d.add(onEvent(this.toolbar, "tool", (event: Parameters<SceneTools["handleTool"]>[0]) => {
      if (event.tool === "plan") this.setPlanVisible(event.on);
      else this.scene.handleTool(event, this.storeyId);
      this.toolbar.update(this.scene.toolState());
    }));
  }

  /** Boot: who am I, the hierarchy, then the view of the URL (or the first building). */
  async start(): Promise<void> {
    const initial = this.url.initial;
    if (initial.colour) this.scene.colourer.setMode(initial.colour);
    this.legend.update(this.scene.colourer.colourMode, []);
    this.layout.setMessage(this.i18n.t("app.loading"));
    // everything the first frame needs is requested at once (the deep-linked building included)
    if (initial.building !== undefined) {
      const building = this.api.building(initial.building);
      building.catch(() => undefined); // a failure is reported when (if) it is awaited
      this.prefetched.set(initial.building, building);
    }
    const me = this.loadMe();
    try {
      await Promise.all([this.fetchHierarchy(), me]);
    } catch (error) {
      this.prefetched.clear();
      if (error instanceof UnauthorisedError) return; // the login prompt restarts us
      this.layout.setMessage(this.i18n.t("app.error", { message: String(error) }));
      return;
    }
    this.explorer.setData(this.campuses, this.buildings);
    if (initial.tab) this.layout.show(initial.tab as Tab);
    if (initial.plan) this.setPlanVisible(true);
    const largest = [...this.buildings].sort((a, b) => b.rooms - a.rooms)[0];
    const buildingId = initial.building ?? largest?.id;
    if (buildingId === undefined) {
      this.layout.setMessage(this.i18n.t("app.noBuilding"));
      return;
    }
    await this.openBuilding(buildingId, { storey: initial.storey, camera: initial.camera !== undefined });
    if (initial.camera) this.scene.viewer.setCamera(initial.camera);
    if (initial.room) await this.selectRoom(initial.room, { fly: initial.camera === undefined });
  }

  /**
   * The ledger changed under the viewer (an upload's rooms, then its context): the hierarchy again, and
   * the building a new model added opened, else the one on screen reloaded (its GLBs revalidated).
   */
  async refreshLedger(): Promise<void> {
    const known = new Set(this.buildings.map((b) => b.id));
    try {
      await this.fetchHierarchy();
    } catch (error) {
      console.warn("refreshing the ledger", error);
      return;
    }
    this.explorer.setData(this.campuses, this.buildings);
    if (this.mapLoaded) void this.map.load(this.campuses);
    const added = this.buildings.find((b) => !known.has(b.id));
    const target = added?.id ?? this.buildingAsked;
    if (target === null) return;
    this.buildingLoad = null; // the same building is loaded again, not taken as already open
    this.layout.setMessage("");
    await this.openBuilding(target, { storey: added ? undefined : this.storeyId ?? undefined, camera: !added });
  }

  private async fetchHierarchy(): Promise<void> {
    [this.campuses, this.buildings] = await Promise.all([this.api.campuses(), this.api.buildings()]);
  }

  private async loadMe(): Promise<void> {
    try {
      this.me = await this.api.me();
    } catch (error) {
      // 404: the API has no authentication yet; 401 is handled by the "unauthorised" event.
      if (!(error instanceof NotFoundError) && !(error instanceof UnauthorisedError)) console.warn("GET /api/me", error);
      this.me = null;
    }
    this.header.setUser(this.me);
    const role = this.me?.role ?? null;
    this.warnings.setRole(role);
    this.finder.setRole(role);
    this.layout.setTabHidden("finder", role === "viewer");
  }

  private async authenticate(): Promise<void> {
    const first = !this.login.visible;
    await this.login.prompt();
    if (first) await this.start();
  }

  /** Open a building: storeys stream in (the chosen storey first), room data and colours alongside. */
  openBuilding(id: number, options: { storey?: number; camera?: boolean } = {}): Promise<void> {
    if (this.building?.id === id && this.buildingLoad) {
      if (options.storey !== undefined) this.chooseStorey(options.storey, false);
      return this.buildingLoad;
    }
    this.buildingAsked = id;
    this.buildingLoad = this.loadBuilding(id, options);
    return this.buildingLoad;
  }

  private async loadBuilding(id: number, options: { storey?: number; camera?: boolean }): Promise<void> {
    this.layout.setMessage(this.i18n.t("app.loading"));
    let building: Building;
    try {
      building = await (this.prefetched.get(id) ?? this.api.building(id));
      this.prefetched.delete(id);
    } catch (error) {
      this.layout.setMessage(this.i18n.t("app.error", { message: error instanceof Error ? error.message : String(error) }));
      return;
    }
    this.building = building;
    if (this.scene.colourer.selectedId) void this.selectRoom(null); // its room is not in this building's scene
    const storeys = building.storey_list ?? (await this.api.storeys(id));
    for (const storey of storeys) this.storeyBuildings.set(storey.id, id);
    const lowest = [...storeys].sort((a, b) => (a.elevation_m ?? 0) - (b.elevation_m ?? 0))[0];
    this.storeyId = options.storey ?? lowest?.id ?? null;
    this.explorer.setStoreys(id, storeys);
    this.explorer.setCurrent({ building: id, storey: this.storeyId ?? undefined });
    this.url.update({ building: id, storey: this.storeyId ?? undefined, room: undefined });
    void this.compare.setBuilding(building);
    this.layout.setMessage("");
    if (this.plan.visible && this.storeyId !== null) void this.plan.load(this.storeyId);
    // geometry first: the scene starts streaming storeys now; room rows follow storey by storey
    const scene = this.scene.loadBuilding(storeys, this.storeyId ?? undefined, !options.camera);
    this.scene.colourer.clearData();
    this.legend.update(this.scene.colourer.colourMode, []);
    const rooms = this.roomRows.load(building, storeys, this.storeyId ?? undefined);
    void this.scene.firstRoomDrawn().then(() => this.startDeferred());
    await Promise.all([scene, rooms]);
  }

  private addRooms(rows: RoomRow[]): void {
    this.rooms.add(rows);
    this.scene.colourer.addData(rows);
    this.legend.updateSoon(() => this.scene.colourer.rows());
    this.plan.recolour();
  }

  /** Requests nobody waits for, sent once the first storey is on screen so they never compete with it. */
  private startDeferred(): void {
    if (this.deferredStarted) return;
    this.deferredStarted = true;
    void this.warnings.count();
  }

  /** The building a storey belongs to (known storeys, else GET /api/storeys/{id}). */
  private async buildingOfStorey(storeyId: number): Promise<number | null> {
    const known = this.storeyBuildings.get(storeyId);
    if (known !== undefined) return known;
    try {
      const storey = await this.api.storey(storeyId);
      this.storeyBuildings.set(storeyId, storey.building_id);
      return storey.building_id;
    } catch {
      return null;
    }
  }

  /** A finder candidate: its building and storey, its rooms in the finder colour, the camera on them. */
  async showCandidate(candidate: FinderCandidate): Promise<void> {
    const buildingId = await this.buildingOfStorey(candidate.storey_id);
    if (buildingId === null) return;
    const ids = candidate.rooms.map((r) => r.global_id);
    if (this.scene.colourer.selectedId) void this.selectRoom(null);
    this.paintOverlay("finder");
    await this.openBuilding(buildingId, { storey: candidate.storey_id, camera: true });
    if (this.finder.current !== candidate) return;
    if (this.storeyId !== candidate.storey_id) this.chooseStorey(candidate.storey_id, false);
    await this.scene.flyToRooms(ids, candidate.storey_id);
  }

  /** The highlight of the active tab's result (finder candidate, version difference), or none. */
  applyOverlay(): void {
    const tab = this.layout.tab;
    if (tab === "finder" && this.finder.current) this.paintOverlay("finder");
    else if (tab === "compare" && this.compare.comparison) this.paintOverlay("compare");
    else this.paintOverlay(null);
  }

  private paintOverlay(kind: "finder" | "compare" | null): void {
    const t = this.i18n.t.bind(this.i18n);
    let overlay: Overlay | null = null;
    if (kind === "finder" && this.finder.current) overlay = finderOverlay(this.finder.current, t);
    else if (kind === "compare" && this.compare.comparison) overlay = compareOverlay(this.compare.comparison, t);
    this.overlay = overlay ? kind : null;
    this.scene.colourer.setHighlight(overlay ? { colours: overlay.colours, dimOthers: overlay.dimOthers } : null);
    this.legend.setOverlay(overlay?.entries ?? []);
    this.plan.recolour();
  }

  private chooseStorey(id: number, fromUser: boolean): void {
    this.storeyId = id;
    this.explorer.setCurrent({ building: this.building?.id, storey: id });
    this.url.update({ storey: id });
    this.scene.setCurrentStorey(id);
    if (this.plan.visible) void this.plan.load(id);
    if (fromUser) void this.scene.frameStorey(id);
  }

  /** Open a room from anywhere (search, deviation table, compare): its building, its storey, fly to it. */
  async openRoom(choice: RoomChoice): Promise<void> {
    await this.openBuilding(choice.buildingId, { storey: choice.storeyId ?? undefined, camera: true });
    await this.selectRoom(choice.globalId, { fly: true });
  }

  async selectRoom(globalId: string | null, options: { fly?: boolean } = {}): Promise<void> {
    this.scene.colourer.select(globalId);
    this.plan.select(globalId);
    this.url.update({ room: globalId ?? undefined });
    if (!globalId) {
      this.card.hide();
      return;
    }
    const row = this.scene.colourer.row(globalId);
    if (row) this.card.show(row, this.me?.role ?? null);
    if (row?.storey_id != null && row.storey_id !== this.storeyId) this.chooseStorey(row.storey_id, false);
    const fly = options.fly ? this.scene.flyToRoom(globalId, row?.storey_id ?? null) : Promise.resolve();
    try {
      const card = await this.api.room(globalId);
      if (this.scene.colourer.selectedId !== globalId) return;
      this.card.show(card, this.me?.role ?? null);
      if (card.storey_id !== null && card.storey_id !== this.storeyId) this.chooseStorey(card.storey_id, false);
    } catch (error) {
      if (!row) console.warn(`room ${globalId}`, error);
    }
    await fly;
  }

  setColourMode(mode: ColourMode): void {
    this.scene.colourer.setMode(mode);
    this.legend.update(mode, this.scene.colourer.rows());
    this.plan.recolour();
    this.url.update({ colour: mode });
  }

  setPlanVisible(on: boolean): void {
    this.plan.visible = on;
    this.layout.stage.classList.toggle("with-plan", on);
    this.scene.viewer.resize();
    this.url.update({ plan: on || undefined });
    if (on && this.storeyId !== null) void this.plan.load(this.storeyId);
    this.toolbar.update({ plan: on });
  }

  private onTab(tab: Tab): void {
    this.url.update({ tab: tab === "explorer" ? undefined : tab });
    if (tab === "warnings") void this.warnings.activate();
    else this.warnings.deactivate();
    if (tab === "compare") void this.compare.activate();
    else this.compare.deactivate();
    this.applyOverlay();
    if (tab === "map" && !this.mapLoaded) {
      this.mapLoaded = true;
      void this.map.load(this.campuses);
    } else if (tab === "map") this.map.render();
  }

  /** The hooks the e2e tests and the load benchmark read. */
  debugHandle(): Record<string, unknown> {
    return {
      stats: () => ({ ...this.scene.stats(), bytes: this.api.bytesReceived }),
      selected: () => this.scene.colourer.selectedId,
      state: () => ({ building: this.building?.id ?? null, storey: this.storeyId, colour: this.scene.colourer.colourMode, camera: this.scene.viewer.getCamera() }),
      screenOf: (globalId: string) => this.scene.screenPosition(globalId),
      paintedColour: (globalId: string) => this.scene.paintedColour(globalId),
      idle: () => this.scene.idle(),
      highlighted: () => this.scene.colourer.highlighted,
      overlay: () => this.overlay,
      app: this,
    };
  }

  dispose(): void {
    this.disposer.dispose();
    this.roomRows.dispose();
    for (const part of [this.explorer, this.map, this.compare, this.warnings, this.finder, this.toolbar, this.legend, this.card, this.plan, this.login, this.upload, this.header, this.scene]) part.dispose();
    this.url.dispose();
    this.layout.dispose();
  }
}
