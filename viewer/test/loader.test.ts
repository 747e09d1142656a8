import { describe, expect, it } from "vitest";
import type { Storey } from "../src/api/types";
import { loadingOrder } from "../src/scene/storeyLoader";

const storey = (id: number, elevation_m: number): Storey => ({
  id, elevation_m, global_id: `g${id}`, building_id: 1, name: null, long_name: null, rooms: 0, measured_area_m2: null, declared_area_m2: null,
});

describe("progressive loading order", () => {
  const storeys = [storey(3, 9), storey(1, 0), storey(2, 4.5), storey(4, -3)];
  it("loads bottom to top", () => {
    expect(loadingOrder(storeys).map((s) => s.id)).toEqual([4, 1, 2, 3]);
  });
  it("loads the chosen storey first", () => {
    expect(loadingOrder(storeys, 2).map((s) => s.id)).toEqual([2, 4, 1, 3]);
    expect(loadingOrder(storeys, 99).map((s) => s.id)).toEqual([4, 1, 2, 3]);
  });
});
