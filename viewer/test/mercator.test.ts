import { describe, expect, it } from "vitest";
import { fitView, project, tileUrl, toScreen, toWorld, unproject, visibleTiles, zoomAt } from "../src/panels/mercator";

describe("web mercator", () => {
  it("projects the origin and corners", () => {
    expect(project([0, 0])).toEqual([128, 128]);
    expect(project([-180, 0])[0]).toBe(0);
    expect(project([180, 0])[0]).toBe(256);
    expect(project([0, 85.05112878])[1]).toBeCloseTo(0, 5);
  });

  it("round-trips lon/lat", () => {
    const [lon, lat] = unproject(project([113.2646, 23.1317]));
    expect(lon).toBeCloseTo(113.2646, 9);
    expect(lat).toBeCloseTo(23.1317, 9);
  });

  it("fits points into the view and maps screen and world both ways", () => {
    const points = [project([113.264, 23.131]), project([113.266, 23.133])];
    const view = fitView(points, 400, 300);
    for (const p of points) {
      const [sx, sy] = toScreen(view, p);
      expect(sx).toBeGreaterThanOrEqual(39.9);
      expect(sx).toBeLessThanOrEqual(360.1);
      expect(sy).toBeGreaterThanOrEqual(39.9);
      expect(sy).toBeLessThanOrEqual(260.1);
      const back = toWorld(view, [sx, sy]);
      expect(back[0]).toBeCloseTo(p[0], 9);
    }
  });

  it("zooms around an anchor", () => {
    const view = { cx: 100, cy: 100, scale: 4, width: 200, height: 200 };
    const zoomed = zoomAt(view, 2, [50, 50]);
    expect(zoomed.scale).toBe(8);
    expect(toWorld(zoomed, [50, 50])).toEqual(toWorld(view, [50, 50]));
  });

  it("lists tiles at the matching zoom", () => {
    const tiles = visibleTiles({ cx: 128, cy: 128, scale: 2, width: 512, height: 512 });
    expect(tiles.every((t) => t.z === 1)).toBe(true);
    expect(tiles.length).toBe(4);
    expect(tileUrl("https://t/{z}/{x}/{y}.png", { z: 3, x: 4, y: 5 })).toBe("https://t/3/4/5.png");
  });
});
