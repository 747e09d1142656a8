/** Where a room is (number, building, storey) by GlobalId: from room rows already loaded, else one room card. */
import type { ApiClient } from "../api/client";
import type { RoomRow } from "../api/types";

export interface RoomRef { globalId: string; number: string | null; name: string | null; buildingId: number; storeyId: number | null }

export class RoomDirectory {
  private readonly known = new Map<string, RoomRef>();
  private readonly pending = new Map<string, Promise<RoomRef | null>>();
  private readonly queue: (() => void)[] = [];
  private running = 0;

  constructor(private readonly api: Pick<ApiClient, "room">, private readonly concurrency = 3) {}

  add(rows: Iterable<Pick<RoomRow, "global_id" | "number" | "name" | "building_id" | "storey_id">>): void {
    for (const row of rows) {
      this.known.set(row.global_id, { globalId: row.global_id, number: row.number, name: row.name, buildingId: row.building_id, storeyId: row.storey_id });
    }
  }

  get(globalId: string): RoomRef | undefined {
    return this.known.get(globalId);
  }

  /** The room's place, fetching its card (a few at a time) when no loaded row has it; null if it cannot be read. */
  resolve(globalId: string): Promise<RoomRef | null> {
    const known = this.known.get(globalId);
    if (known) return Promise.resolve(known);
    let promise = this.pending.get(globalId);
    if (!promise) {
      promise = this.limited(async () => {
        try {
          const card = await this.api.room(globalId);
          this.add([card]);
          return this.known.get(globalId) ?? null;
        } catch {
          return null;
        }
      });
      this.pending.set(globalId, promise);
    }
    return promise;
  }

  private limited<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve) => {
      const run = (): void => {
        this.running += 1;
        void task().then(resolve).finally(() => {
          this.running -= 1;
          this.queue.shift()?.();
        });
      };
      if (this.running < this.concurrency) run();
      else this.queue.push(run);
    });
  }
}
