/**
 * Room rows (colours, legend, cards) of a building without holding up its geometry: the first storey's
 * rows alongside its GLB, the others once that storey is on screen, a storey per request (small, fast
 * queries instead of one large one). Rows without a storey are caught by a final building query.
 */
import type { ApiClient } from "../api/client";
import type { Building, RoomRow, Storey } from "../api/types";
import { loadingOrder } from "../scene/storeyLoader";

/** Storeys' rows fetched at once, after the first storey is drawn. */
const ROOM_FETCH_CONCURRENCY = 2;

export class RoomRowsLoader {
  private generation = 0;

  /**
   * `onRows` hears each batch of rows as it arrives; `firstDrawn` resolves once the scene has drawn the
   * first storey's rooms.
   */
  constructor(
    private readonly api: Pick<ApiClient, "allRooms">,
    private readonly onRows: (rows: RoomRow[]) => void,
    private readonly firstDrawn: () => Promise<void>,
  ) {}

  /** Load `building`'s rows, storey `first` first; a later `load` (or `dispose`) drops what this one has not delivered. */
  async load(building: Building, storeys: Storey[], first: number | undefined): Promise<void> {
    const generation = ++this.generation;
    const current = (): boolean => generation === this.generation;
    const order = loadingOrder(storeys, first);
    let count = 0;
    const fetchStorey = async (storey: Storey): Promise<void> => {
      try {
        const rows = await this.api.allRooms({ storey_id: storey.id });
        if (!current()) return;
        count += rows.length;
        this.onRows(rows);
      } catch (error) {
        if (current()) console.warn(`rooms of storey ${storey.id}`, error);
      }
    };
    if (order[0]) await fetchStorey(order[0]);
    await this.firstDrawn();
    const queue = order.slice(1);
    const worker = async (): Promise<void> => {
      for (let storey = queue.shift(); storey; storey = queue.shift()) {
        if (!current()) return;
        await fetchStorey(storey);
      }
    };
    await Promise.all(Array.from({ length: ROOM_FETCH_CONCURRENCY }, worker));
    if (!current() || count >= building.rooms) return;
    try {
      const rows = await this.api.allRooms({ building_id: building.id });
      if (current()) this.onRows(rows);
    } catch {
      /* the storeys' rows are what we have */
    }
  }

  dispose(): void {
    this.generation += 1;
  }
}
