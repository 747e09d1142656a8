import { describe, expect, it } from "vitest";
import type { Building, RoomRow, Storey } from "../src/api/types";
import { RoomRowsLoader } from "../src/state/roomRows";

const storey = (id: number, elevation_m: number) => ({ id, elevation_m }) as Storey;
const rowsOf = (ids: string[]) => ids.map((global_id) => ({ global_id }) as RoomRow);

/** An API whose storeys answer with one room named after them; `unplaced` more come only from the building query. */
function fakeApi(unplaced: string[] = []) {
  const asked: string[] = [];
  return {
    asked,
    async allRooms(query: { storey_id?: number; building_id?: number }): Promise<RoomRow[]> {
      asked.push(query.storey_id !== undefined ? `storey ${query.storey_id}` : `building ${query.building_id}`);
      return query.storey_id !== undefined ? rowsOf([`room of ${query.storey_id}`]) : rowsOf([...[1, 2, 3].map((s) => `room of ${s}`), ...unplaced]);
    },
  };
}

describe("a building's room rows", () => {
  it("come for the chosen storey first, and for the others only once it is drawn", async () => {
    const api = fakeApi();
    const heard: string[] = [];
    let drawn!: () => void;
    const firstDrawn = new Promise<void>((resolve) => (drawn = resolve));
    const loader = new RoomRowsLoader(api, (rows) => heard.push(...rows.map((r) => r.global_id)), () => firstDrawn);
    const loading = loader.load({ id: 9, rooms: 3 } as Building, [storey(1, 0), storey(2, 4), storey(3, 8)], 2);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(heard).toEqual(["room of 2"]);
    drawn();
    await loading;
    expect(heard.sort()).toEqual(["room of 1", "room of 2", "room of 3"]);
    expect(api.asked).not.toContain("building 9"); // every room came with its storey
  });

  it("ask the building for rooms no storey gave", async () => {
    const api = fakeApi(["on no storey"]);
    const heard: string[] = [];
    const loader = new RoomRowsLoader(api, (rows) => heard.push(...rows.map((r) => r.global_id)), async () => undefined);
    await loader.load({ id: 9, rooms: 4 } as Building, [storey(1, 0), storey(2, 4), storey(3, 8)], undefined);
    expect(api.asked.at(-1)).toBe("building 9");
    expect(heard).toContain("on no storey");
  });

  it("of a building left before they came are dropped", async () => {
    const api = fakeApi();
    const heard: string[] = [];
    const loader = new RoomRowsLoader(api, (rows) => heard.push(...rows.map((r) => r.global_id)), async () => undefined);
    const first = loader.load({ id: 9, rooms: 3 } as Building, [storey(1, 0), storey(2, 4)], 1);
    loader.dispose();
    await first;
    expect(heard).toEqual([]);
  });
});
