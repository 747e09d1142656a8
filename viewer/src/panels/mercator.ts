/** Web-Mercator arithmetic (EPSG:3857 in "world pixels" at zoom 0, 256 px per world), no dependencies. */

export const TILE = 256;
const MAX_LAT = 85.05112878;

export type LonLat = [number, number];
export type Point = [number, number];

/** lon/lat (degrees) to world pixels at zoom 0: x right, y down, both in [0, 256]. */
export function project([lon, lat]: LonLat): Point {
  const clamped = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  const s = Math.sin((clamped * Math.PI) / 180);
  return [((lon + 180) / 360) * TILE, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * TILE];
}

export function unproject([x, y]: Point): LonLat {
  const lon = (x / TILE) * 360 - 180;
  const n = Math.PI - (2 * Math.PI * y) / TILE;
  return [lon, (180 / Math.PI) * Math.atan(Math.sinh(n))];
}

/** A view: centre in world pixels and scale in screen pixels per world pixel (2^zoom). */
export interface MapView { cx: number; cy: number; scale: number; width: number; height: number }

export function toScreen(view: MapView, [x, y]: Point): Point {
  return [(x - view.cx) * view.scale + view.width / 2, (y - view.cy) * view.scale + view.height / 2];
}

export function toWorld(view: MapView, [sx, sy]: Point): Point {
  return [(sx - view.width / 2) / view.scale + view.cx, (sy - view.height / 2) / view.scale + view.cy];
}

/** The view that shows every point with a margin (a minimum extent keeps single points sensible). */
export function fitView(points: Point[], width: number, height: number, padding = 40, maxScale = 2 ** 19): MapView {
  if (!points.length) return { cx: TILE / 2, cy: TILE / 2, scale: Math.min(width, height) / TILE, width, height };
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const spanX = Math.max(maxX - minX, 1e-9);
  const spanY = Math.max(maxY - minY, 1e-9);
  const scale = Math.min((width - 2 * padding) / spanX, (height - 2 * padding) / spanY, maxScale);
  return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, scale: Math.max(scale, 1e-3), width, height };
}

/** Zoom by `factor` keeping the world point under the screen point `anchor` in place. */
export function zoomAt(view: MapView, factor: number, anchor: Point): MapView {
  const before = toWorld(view, anchor);
  const zoomed = { ...view, scale: Math.min(2 ** 22, Math.max(0.5, view.scale * factor)) };
  const after = toWorld(zoomed, anchor);
  return { ...zoomed, cx: zoomed.cx + before[0] - after[0], cy: zoomed.cy + before[1] - after[1] };
}

/** Tiles {z, x, y} covering a view, at the integer zoom closest to its scale. */
export interface Tile { z: number; x: number; y: number; /** top-left in world pixels */ wx: number; wy: number; size: number }

export function visibleTiles(view: MapView, maxZoom = 19): Tile[] {
  const z = Math.max(0, Math.min(maxZoom, Math.round(Math.log2(view.scale))));
  const n = 2 ** z;
  const size = TILE / n; // world pixels per tile
  const [x0, y0] = toWorld(view, [0, 0]);
  const [x1, y1] = toWorld(view, [view.width, view.height]);
  const tiles: Tile[] = [];
  for (let ty = Math.max(0, Math.floor(y0 / size)); ty <= Math.min(n - 1, Math.ceil(y1 / size) - 1); ty += 1) {
    for (let tx = Math.floor(x0 / size); tx <= Math.ceil(x1 / size) - 1; tx += 1) tiles.push({ z, x: ((tx % n) + n) % n, y: ty, wx: tx * size, wy: ty * size, size });
    if (tiles.length > 64) break;
  }
  return tiles;
}

export function tileUrl(template: string, tile: { z: number; x: number; y: number }): string {
  return template.replace("{z}", String(tile.z)).replace("{x}", String(tile.x)).replace("{y}", String(tile.y));
}
