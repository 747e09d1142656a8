/** The 3D side of the app: viewer, progressive loader, picking, colouring and the tools, behind one facade. */
import { Box3, Vector3 } from "three";
import type { ApiClient } from "./api/client";
import type { Storey } from "./api/types";
import { emit, onEvent } from "./panels/dom";
import type { ToolEvent, ToolState } from "./panels/toolbar";
import { RoomColourer } from "./scene/colouring";
import { FlyTo } from "./scene/flyTo";
import { type PickResult, RoomPicker } from "./scene/picking";
import { SectionPlane } from "./scene/sectionPlane";
import { type StoreyLoadEvent, StoreyLoader } from "./scene/storeyLoader";
import { StoreyLayout } from "./scene/storeyLayout";
import type { StoreyModel } from "./scene/storeyModel";
import { Viewer } from "./scene/viewer";
import { WalkControls } from "./scene/walkControls";
import { XrayTool } from "./scene/xray";

export interface LoadStats {
  calls: number;
  triangles: number;
  frames: number;
  storeysLoaded: number;
  storeysTotal: number;
  rooms: number;
  /** Since the building started loading. */
  firstRoomMs: number | null;
  allLoadedMs: number | null;
  /** performance.now() (ms since navigation) of the first frame with a room / with every storey. */
  firstRoomAt: number | null;
  allLoadedAt: number | null;
  done: boolean;
}

/** While a building streams in after its first room is drawn, frames are at least this far apart. */
export const STREAMING_FRAME_INTERVAL_MS = 400;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export class SceneTools extends EventTarget {
  readonly viewer: Viewer;
  readonly loader: StoreyLoader;
  readonly picker: RoomPicker;
  readonly colourer: RoomColourer;
  readonly xray: XrayTool;
  readonly layout: StoreyLayout;
  readonly section: SectionPlane;
  readonly walk: WalkControls;
  readonly flyTo: FlyTo;
  private readonly cleanups: (() => void)[] = [];
  private storeys: Storey[] = [];
  private frameOnFirst = false;
  private currentStorey: number | null = null;
  private firstRoom: { promise: Promise<void>; resolve: () => void } = deferred();
  private marks: { start: number; firstRoom: number | null; all: number | null; pendingFirst: boolean; pendingAll: boolean } = {
    start: 0, firstRoom: null, all: null, pendingFirst: false, pendingAll: false,
  };

  constructor(container: HTMLElement, api: ApiClient) {
    super();
    this.viewer = new Viewer(container);
    this.loader = new StoreyLoader(api, this.viewer);
    this.picker = new RoomPicker(this.viewer);
    this.colourer = new RoomColourer(this.viewer);
    this.xray = new XrayTool(this.viewer);
    this.xray.enabled = true;
    this.layout = new StoreyLayout(this.viewer);
    this.section = new SectionPlane(this.viewer);
    this.walk = new WalkControls(this.viewer);
    this.flyTo = new FlyTo(this.viewer);
    this.cleanups.push(
      onEvent<StoreyLoadEvent>(this.loader, "storey", ({ model }) => this.onStorey(model)),
      onEvent<null>(this.loader, "done", () => {
        this.marks.pendingAll = true;
        this.viewer.minFrameInterval = 0;
        this.firstRoom.resolve(); // no storey had rooms: nobody should wait for ever
        this.viewer.requestRender();
      }),
      onEvent<PickResult | null>(this.picker, "pick", (hit) => emit(this, "pick", hit?.globalId ?? null)),
      onEvent<PickResult | null>(this.picker, "hover", (hit) => this.onHover(hit)),
      onEvent<null>(this.viewer, "camera", () => emit(this, "camera", null)),
      onEvent<null>(this.viewer, "rendered", () => this.onRendered()),
      onEvent<null>(this.walk, "change", () => {
        for (const model of this.viewer.storeys.values()) this.applyRoomMaterial(model);
        emit(this, "tools", null);
      }),
    );
  }

  /** Replace the scene with a building's storeys, streamed in; `frame` points the camera at it. */
  loadBuilding(storeys: Storey[], first: number | undefined, frame: boolean): Promise<void> {
    this.storeys = storeys;
    this.frameOnFirst = frame;
    this.currentStorey = first ?? null;
    this.marks = { start: performance.now(), firstRoom: null, all: null, pendingFirst: false, pendingAll: false };
    this.firstRoom.resolve(); // a superseded load releases its waiters
    this.firstRoom = deferred();
    this.viewer.minFrameInterval = 0;
    this.layout.isolated = null; // a storey of the previous building
    this.walk.disable();
    emit(this, "tools", null);
    return this.loader.load(storeys, first);
  }

  private onStorey(model: StoreyModel): void {
    this.colourer.apply(model);
    this.applyRoomMaterial(model);
    this.xray.apply(model);
    this.layout.apply();
    if (model.rooms.size) this.marks.pendingFirst = true;
    if (this.frameOnFirst) {
      this.frameOnFirst = false;
      this.viewer.setCamera(this.viewer.frameBox(this.buildingBox(model)));
    }
    emit(this, "storey", model.storey);
  }

  /** The first storey's bounds stretched over the building's elevation range (before the rest arrive). */
  private buildingBox(model: StoreyModel): Box3 {
    const box = model.bounds.clone();
    const elevations = this.storeys.map((s) => s.elevation_m ?? 0);
    box.min.y = Math.min(box.min.y, ...elevations);
    box.max.y = Math.max(box.max.y, Math.max(...elevations) + 4);
    return box;
  }

  private onRendered(): void {
    const now = performance.now();
    if (this.marks.pendingFirst && this.marks.firstRoom === null) {
      this.marks.firstRoom = now;
      // the first room is on screen: while the other storeys stream in, redraw at a calmer pace
      // (each frame draws every storey loaded so far; interaction and animations are never held back)
      if (this.marks.all === null && !this.marks.pendingAll) this.viewer.minFrameInterval = STREAMING_FRAME_INTERVAL_MS;
      this.firstRoom.resolve();
    }
    if (this.marks.pendingAll && this.marks.all === null) this.marks.all = now;
  }

  /** Resolves once the current building's first room has been drawn (or its loading ended without one). */
  firstRoomDrawn(): Promise<void> {
    return this.firstRoom.promise;
  }

  private onHover(hit: PickResult | null): void {
    this.colourer.hover(hit?.globalId ?? null);
    const row = hit ? this.colourer.row(hit.globalId) : undefined;
    const room = hit ? hit.storey.rooms.rooms[hit.index] : undefined;
    this.viewer.renderer.domElement.title = room ? `${room.number ?? ""} ${row?.name ?? room.name ?? ""}`.trim() : "";
  }

  setCurrentStorey(id: number): void {
    this.currentStorey = id;
    if (this.layout.isolated !== null) this.layout.isolate(id);
  }

  /** Resolves with the storey's model once it is loaded (null if it never arrives). */
  whenLoaded(storeyId: number): Promise<StoreyModel | null> {
    const model = this.viewer.storeys.get(storeyId);
    if (model) return Promise.resolve(model);
    return new Promise((resolve) => {
      const stopStorey = onEvent<StoreyLoadEvent>(this.loader, "storey", ({ model: m }) => {
        if (m.id !== storeyId) return;
        stop();
        resolve(m);
      });
      const stopDone = onEvent<null>(this.loader, "done", () => {
        stop();
        resolve(this.viewer.storeys.get(storeyId) ?? null);
      });
      const stop = (): void => {
        stopStorey();
        stopDone();
      };
    });
  }

  async frameStorey(id: number): Promise<void> {
    const model = await this.whenLoaded(id);
    if (model) await this.flyTo.toBox(new Box3().setFromObject(model.group), 0.02);
  }

  /** Fly to a room's box (waiting for its storey if needed), its storey isolated so nothing hides it. */
  async flyToRoom(globalId: string, storeyId: number | null): Promise<void> {
    let model = storeyId !== null ? await this.whenLoaded(storeyId) : null;
    if (!model || model.rooms.indexOf(globalId) === undefined) model = [...this.viewer.storeys.values()].find((m) => m.rooms.indexOf(globalId) !== undefined) ?? null;
    const index = model?.rooms.indexOf(globalId);
    if (!model || index === undefined) return;
    if (this.viewer.storeys.size > 1) this.layout.isolate(model.id);
    this.currentStorey = model.id;
    emit(this, "tools", null);
    await this.flyTo.toBox(model.rooms.box(index).applyMatrix4(model.group.matrixWorld));
  }

  /** Fly to a group of rooms (e.g. a finder candidate, all on one storey), that storey isolated. */
  async flyToRooms(globalIds: string[], storeyId: number | null): Promise<void> {
    if (storeyId !== null) await this.whenLoaded(storeyId);
    const box = new Box3();
    let storey: StoreyModel | null = null;
    for (const model of this.viewer.storeys.values()) {
      for (const id of globalIds) {
        const index = model.rooms.indexOf(id);
        if (index === undefined) continue;
        box.union(model.rooms.box(index).applyMatrix4(model.group.matrixWorld));
        storey ??= model;
      }
    }
    if (!storey || box.isEmpty()) return;
    if (this.viewer.storeys.size > 1) this.layout.isolate(storey.id);
    this.currentStorey = storey.id;
    emit(this, "tools", null);
    await this.flyTo.toBox(box, 0.5);
  }

  /** Where a room's centre is on screen (client px), for tests; null if not loaded. */
  screenPosition(globalId: string): { x: number; y: number } | null {
    for (const model of this.viewer.storeys.values()) {
      const index = model.rooms.indexOf(globalId);
      if (index === undefined) continue;
      const centre = model.rooms.box(index).applyMatrix4(model.group.matrixWorld).getCenter(new Vector3()).project(this.viewer.camera);
      const rect = this.viewer.renderer.domElement.getBoundingClientRect();
      return { x: rect.left + ((centre.x + 1) / 2) * rect.width, y: rect.top + ((1 - centre.y) / 2) * rect.height };
    }
    return null;
  }

  /** Walking inside rooms: their volumes turn into a see-through tint. */
  private applyRoomMaterial(model: StoreyModel): void {
    model.rooms.mesh.material = this.walk.enabled ? this.viewer.materials.roomsGhost : this.viewer.materials.rooms;
    this.viewer.requestRender();
  }

  /** The colour a room is painted with now (0xRRGGBB, sRGB), for tests; null if not loaded. */
  paintedColour(globalId: string): number | null {
    for (const model of this.viewer.storeys.values()) {
      const index = model.rooms.indexOf(globalId);
      if (index !== undefined) return model.rooms.paintedColour(index);
    }
    return null;
  }

  /** No animation running and nothing waiting to be drawn. */
  idle(): boolean {
    return this.viewer.idle;
  }

  toolState(): Partial<ToolState> {
    const box = this.viewer.visibleBounds();
    const range: [number, number] = box.isEmpty() ? [0, 10] : [Math.floor(box.min.y), Math.ceil(box.max.y)];
    return {
      rooms: this.layout.roomsVisible, xray: this.xray.enabled, isolate: this.layout.isolated !== null, explode: this.layout.explode,
      section: this.section.enabled, sectionHeight: this.section.height, sectionRange: range, walk: this.walk.enabled,
    };
  }

  handleTool(event: ToolEvent, storeyId: number | null): void {
    const current = storeyId ?? this.currentStorey;
    switch (event.tool) {
      case "rooms": this.layout.setRoomsVisible(event.on); break;
      case "xray": this.xray.enabled = event.on; break;
      case "isolate": this.layout.isolate(event.on ? current : null); break;
      case "explode": this.layout.setExplode(event.value); break;
      case "section": {
        const floor = current !== null ? this.viewer.storeys.get(current)?.floorY : undefined;
        if (event.on) this.section.enable(floor !== undefined ? floor + 1.2 : this.section.height);
        else this.section.disable();
        break;
      }
      case "sectionHeight": this.section.height = event.value; break;
      case "walk": {
        const floor = current !== null ? this.viewer.storeys.get(current)?.floorY : undefined;
        if (event.on) this.walk.enable(floor ?? 0);
        else this.walk.disable();
        break;
      }
      case "fit": void this.flyTo.to(this.viewer.frameBox(this.viewer.visibleBounds())); break;
      case "plan": break;
    }
  }

  progress(): { loaded: number; total: number } {
    return { loaded: this.loader.loaded, total: this.loader.total };
  }

  stats(): LoadStats {
    let rooms = 0;
    for (const model of this.viewer.storeys.values()) rooms += model.rooms.size;
    return {
      ...this.viewer.lastFrame,
      storeysLoaded: this.viewer.storeys.size,
      storeysTotal: this.loader.total,
      rooms,
      firstRoomMs: this.marks.firstRoom === null ? null : this.marks.firstRoom - this.marks.start,
      allLoadedMs: this.marks.all === null ? null : this.marks.all - this.marks.start,
      firstRoomAt: this.marks.firstRoom,
      allLoadedAt: this.marks.all,
      done: this.marks.all !== null,
    };
  }

  dispose(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    for (const part of [this.loader, this.picker, this.colourer, this.xray, this.layout, this.section, this.walk, this.flyTo]) part.dispose();
    this.viewer.dispose();
  }
}
