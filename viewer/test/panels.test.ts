import { BoxGeometry, Group, Mesh, MeshBasicMaterial } from "three";
import { describe, expect, it, vi } from "vitest";
import type { RoomCard, RoomRow } from "../src/api/types";
import { PROVINCIAL_RANKS, finderRequest } from "../src/panels/finder";
import { RoomColourer } from "../src/scene/colouring";
import { RoomBatch } from "../src/scene/roomBatch";
import type { StoreyModel } from "../src/scene/storeyModel";
import type { Viewer } from "../src/scene/viewer";
import { RoomDirectory } from "../src/state/rooms";

describe("finder request", () => {
  const context = { buildingId: 3, storeyId: 12 };
  it("keeps the ranks with people and the provincial level", () => {
    expect(finderRequest({ 正处级: 1, 副处级: 2, 处级以下: 6, "正厅(局)级": 0 }, "all", context)).toEqual({
      ranks: { 正处级: 1, 副处级: 2, 处级以下: 6 }, level: "provincial", max_rooms: 4, limit: 10,
    });
    expect(PROVINCIAL_RANKS).toHaveLength(5);
  });
  it("restricts to the current building or storey", () => {
    expect(finderRequest({ 正处级: 1 }, "building", context, 2)).toMatchObject({ building_id: 3, max_rooms: 2 });
    expect(finderRequest({ 正处级: 1 }, "storey", context)).toMatchObject({ storey_id: 12 });
    expect(finderRequest({ 正处级: 1 }, "storey", context)).not.toHaveProperty("building_id");
    expect(finderRequest({ 正处级: 1 }, "storey", { buildingId: null, storeyId: null })).not.toHaveProperty("storey_id");
  });
  it("asks nothing without people", () => {
    expect(finderRequest({ 正处级: 0, 副处级: -1 }, "all", context)).toBeNull();
  });
});

const row = (id: string, extra: Partial<RoomRow> = {}): RoomRow => ({
  global_id: id, building: "b", storey: "1F", number: `N-${id}`, name: null, measured_area_m2: 10, declared_area_m2: 10, declared_area_source: null,
  volume_m3: null, height_m: null, perimeter_m: null, status: "active", deviation_pct: 0, category: "meeting", use_status: null,
  building_id: 1, storey_id: 7, ...extra,
});

describe("room directory", () => {
  it("answers from loaded rows, fetches a card once for the others, a few at a time", async () => {
    let running = 0;
    let peak = 0;
    const room = vi.fn(async (id: string) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running -= 1;
      if (id === "gone") throw new Error("404");
      return row(id, { building_id: 2, storey_id: 9 }) as RoomCard;
    });
    const directory = new RoomDirectory({ room }, 2);
    directory.add([row("a")]);
    expect(await directory.resolve("a")).toMatchObject({ number: "N-a", buildingId: 1, storeyId: 7 });
    expect(room).not.toHaveBeenCalled();
    const ids = ["b", "c", "d", "e", "b"];
    const refs = await Promise.all(ids.map((id) => directory.resolve(id)));
    expect(refs.map((r) => r?.buildingId)).toEqual([2, 2, 2, 2, 2]);
    expect(room).toHaveBeenCalledTimes(4);
    expect(peak).toBeLessThanOrEqual(2);
    expect(await directory.resolve("gone")).toBeNull();
    expect(directory.get("c")?.storeyId).toBe(9);
  });
});

describe("room colourer highlight", () => {
  function setup() {
    const group = new Group();
    for (const [i, id] of ["a", "b", "c"].entries()) {
      const mesh = new Mesh(new BoxGeometry(1, 1, 1), new MeshBasicMaterial());
      mesh.position.x = i * 2;
      mesh.userData = { kind: "room", global_id: id };
      group.add(mesh);
    }
    group.updateMatrixWorld(true);
    const rooms = new RoomBatch(group, new MeshBasicMaterial());
    const model = { id: 7, rooms } as unknown as StoreyModel;
    const viewer = { storeys: new Map([[7, model]]), requestRender: vi.fn() } as unknown as Viewer;
    const colourer = new RoomColourer(viewer);
    colourer.apply(model);
    return { colourer, rooms };
  }

  it("paints only the highlighted rooms and puts the mode back when cleared", () => {
    const { colourer, rooms } = setup();
    colourer.addData([row("a"), row("b"), row("c")]);
    const base = rooms.paintedColour(1);
    colourer.setHighlight({ colours: new Map([["b", 0xff00ff]]) });
    expect(rooms.paintedColour(1)).toBe(0xff00ff);
    expect(rooms.paintedColour(0)).toBe(base);
    expect(colourer.highlighted).toEqual(["b"]);
    colourer.setHighlight({ colours: new Map([["b", 0xff00ff]]), dimOthers: true });
    expect(rooms.paintedColour(0)).not.toBe(base);
    colourer.setHighlight(null);
    expect(rooms.paintedColour(1)).toBe(base);
    expect(colourer.highlighted).toEqual([]);
  });

  it("keeps the selection on top of a highlight", () => {
    const { colourer, rooms } = setup();
    colourer.setHighlight({ colours: new Map([["a", 0xff00ff]]) });
    colourer.select("a");
    expect(rooms.paintedColour(0)).toBe(0xffd400);
    colourer.select(null);
    expect(rooms.paintedColour(0)).toBe(0xff00ff);
  });

  it("adds rows storey by storey", () => {
    const { colourer, rooms } = setup();
    const grey = rooms.paintedColour(2);
    colourer.addData([row("c", { category: "office_leader" })]);
    expect(rooms.paintedColour(2)).not.toBe(grey);
    expect(colourer.rows()).toHaveLength(1);
  });
});
