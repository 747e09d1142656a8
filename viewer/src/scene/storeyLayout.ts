/** Isolate one storey, explode storeys apart, and show or hide the rooms layer. */
import type { Viewer } from "./viewer";

export class StoreyLayout {
  isolated: number | null = null;
  explode = 0;
  roomsVisible = true;
  /** Metres added between consecutive storeys at explode = 1. */
  static readonly EXPLODE_GAP = 6;

  constructor(private readonly viewer: Viewer) {}

  isolate(storeyId: number | null): void {
    this.isolated = storeyId;
    this.apply();
  }

  setExplode(amount: number): void {
    this.explode = Math.max(0, amount);
    this.apply();
  }

  setRoomsVisible(visible: boolean): void {
    this.roomsVisible = visible;
    this.apply();
  }

  /** Re-apply to every loaded storey (call after a storey arrives). */
  apply(): void {
    this.viewer.orderedStoreys().forEach((model) => {
      model.group.visible = this.isolated === null || this.isolated === model.id;
      model.group.position.y = model.order * StoreyLayout.EXPLODE_GAP * this.explode;
      model.group.updateMatrixWorld(true);
      model.setRoomsVisible(this.roomsVisible);
    });
    this.viewer.requestRender();
  }

  dispose(): void {
    this.isolated = null;
    this.explode = 0;
    this.roomsVisible = true;
    this.apply();
  }
}
