/** Map of campuses (points) and building footprints (polygons) in lon/lat; click a building to open it. */
import type { ApiClient } from "../api/client";
import type { Campus, FeatureCollection, GeoFeature } from "../api/types";
import type { I18n } from "../i18n";
import { Disposer, emit, h, listen } from "./dom";
import { type LonLat, type MapView, type Point, fitView, project, tileUrl, toScreen, visibleTiles, zoomAt } from "./mercator";

const SVG_NS = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  return element;
}

/** Outer rings of a Polygon or MultiPolygon as lon/lat lists. */
function rings(feature: GeoFeature): LonLat[][] {
  const g = feature.geometry;
  if (!g) return [];
  if (g.type === "Polygon") return [(g.coordinates as LonLat[][])[0] ?? []];
  if (g.type === "MultiPolygon") return (g.coordinates as LonLat[][][]).map((p) => p[0] ?? []);
  return [];
}

/** The optional raster tile template ({z}/{x}/{y}): window.TWIN_CONFIG.tileUrl or localStorage "twin.tileUrl". */
export function configuredTileUrl(): string | null {
  const config = (window as unknown as { TWIN_CONFIG?: { tileUrl?: string } }).TWIN_CONFIG;
  return config?.tileUrl ?? localStorage.getItem("twin.tileUrl");
}

export class MapPanel extends EventTarget {
  readonly root: HTMLElement;
  private readonly disposer = new Disposer();
  private readonly canvas: SVGSVGElement;
  private readonly note: HTMLParagraphElement;
  private features: GeoFeature[] = [];
  private view: MapView | null = null;
  private drag: { x: number; y: number; moved: boolean } | null = null;

  constructor(parent: HTMLElement, private readonly api: ApiClient, private readonly i18n: I18n, private readonly tileTemplate = configuredTileUrl()) {
    super();
    this.canvas = svg("svg", { class: "map-canvas", "data-testid": "map" });
    this.note = h("p", { class: "muted" });
    this.root = h("section", { class: "panel map", id: "map" }, this.note);
    this.root.append(this.canvas);
    parent.append(this.root);
    this.disposer.add(listen(this.root, "wheel", (event) => this.onWheel(event), { passive: false }));
    this.disposer.add(listen(this.root, "pointerdown", (event) => { this.drag = { x: event.clientX, y: event.clientY, moved: false }; }));
    this.disposer.add(listen(window, "pointermove", (event) => this.onDrag(event)));
    this.disposer.add(listen(window, "pointerup", () => { setTimeout(() => { this.drag = null; }, 0); }));
    this.disposer.add(listen(this.root, "click", (event) => this.onClick(event)));
  }

  /** Fetch /api/map.geojson; without it, fall back to the campuses' coordinates. */
  async load(campuses: Campus[]): Promise<void> {
    let collection: FeatureCollection | null = null;
    try {
      collection = await this.api.map();
      this.note.textContent = "";
    } catch {
      this.note.textContent = this.i18n.t("map.unavailable");
    }
    this.features = collection?.features ?? campuses
      .filter((c) => c.longitude !== null && c.latitude !== null)
      .map((c): GeoFeature => ({ type: "Feature", geometry: { type: "Point", coordinates: [c.longitude, c.latitude] }, properties: { kind: "campus", id: c.id, name: c.name } }));
    if (!this.features.length) this.note.textContent = this.i18n.t("map.noData");
    this.view = null;
    this.render();
  }

  /** Zoom to one campus's buildings (or the campus point). */
  focusCampus(campusId: number): void {
    const mine = this.features.filter((f) => f.properties?.campus_id === campusId || (f.properties?.kind === "campus" && f.properties.id === campusId));
    this.fit(mine);
  }

  render(): void {
    const width = this.canvas.clientWidth || this.root.clientWidth || 300;
    const height = this.canvas.clientHeight || 300;
    if (!this.view) this.fit(this.features, false);
    const view = (this.view = { ...this.view!, width, height });
    this.canvas.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.canvas.replaceChildren();
    if (this.tileTemplate) {
      for (const tile of visibleTiles(view)) {
        const [x, y] = toScreen(view, [tile.wx, tile.wy]);
        const size = tile.size * view.scale;
        this.canvas.append(svg("image", { href: tileUrl(this.tileTemplate, tile), x, y, width: size + 0.5, height: size + 0.5, class: "tile" }));
      }
    }
    const at = (lonlat: LonLat): Point => toScreen(view, project(lonlat));
    for (const feature of this.features) {
      const p = feature.properties ?? {};
      if (p.kind !== "building") continue;
      for (const ring of rings(feature)) {
        const d = ring.map((c, i) => `${i ? "L" : "M"}${at(c).map((v) => v.toFixed(1)).join(",")}`).join("") + "Z";
        const path = svg("path", { d, class: "building", "data-building-id": String(p.id ?? "") });
        path.append(svg("title", {}));
        path.firstChild!.textContent = String(p.name ?? "");
        this.canvas.append(path);
      }
    }
    for (const feature of this.features) {
      const p = feature.properties ?? {};
      if (p.kind !== "campus" || feature.geometry?.type !== "Point") continue;
      const [x, y] = at(feature.geometry.coordinates as LonLat);
      const group = svg("g", { class: "campus", "data-campus-id": String(p.id ?? "") });
      group.append(svg("circle", { cx: x, cy: y, r: 6 }));
      const onRight = x > width / 2; // the label on the side with room for it, not cut at the map's edge
      const label = svg("text", { x: onRight ? x - 9 : x + 9, y: y + 4, "text-anchor": onRight ? "end" : "start" });
      label.textContent = String(p.name ?? "");
      group.append(label);
      this.canvas.append(group);
    }
  }

  private fit(features: GeoFeature[], redraw = true): void {
    const points: Point[] = [];
    for (const feature of features) {
      if (feature.geometry?.type === "Point") points.push(project(feature.geometry.coordinates as LonLat));
      for (const ring of rings(feature)) for (const c of ring) points.push(project(c));
    }
    const width = this.canvas.clientWidth || 300;
    const height = this.canvas.clientHeight || 300;
    this.view = fitView(points, width, height);
    if (redraw) this.render();
  }

  private onClick(event: MouseEvent): void {
    if (this.drag?.moved) return;
    const target = event.target as Element;
    const building = target.closest<SVGElement>("[data-building-id]");
    if (building?.dataset.buildingId) {
      emit(this, "building", Number(building.dataset.buildingId));
      return;
    }
    const campus = target.closest<SVGElement>("[data-campus-id]");
    if (campus?.dataset.campusId) {
      this.focusCampus(Number(campus.dataset.campusId));
      emit(this, "campus", Number(campus.dataset.campusId));
    }
  }

  private onWheel(event: WheelEvent): void {
    if (!this.view) return;
    event.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    this.view = zoomAt(this.view, Math.exp(-event.deltaY * 0.002), [event.clientX - rect.left, event.clientY - rect.top]);
    this.render();
  }

  private onDrag(event: PointerEvent): void {
    if (!this.drag || !this.view || !event.buttons) return;
    const dx = event.clientX - this.drag.x;
    const dy = event.clientY - this.drag.y;
    if (!this.drag.moved && Math.hypot(dx, dy) < 4) return;
    this.drag = { x: event.clientX, y: event.clientY, moved: true };
    this.view = { ...this.view, cx: this.view.cx - dx / this.view.scale, cy: this.view.cy - dy / this.view.scale };
    this.render();
  }

  dispose(): void {
    this.disposer.dispose();
    this.root.remove();
  }
}
