/** One loaded storey: a group of ≤ 3 meshes (rooms, opaque context, transparent context). */
import { Box3, Group, type Object3D } from "three";
import type { Storey } from "../api/types";
import { ContextBatch } from "./contextBatch";
import type { Materials } from "./materials";
import { RoomBatch } from "./roomBatch";

export class StoreyModel {
  readonly group = new Group();
  readonly rooms: RoomBatch;
  readonly context: ContextBatch;
  /** World-space bounds when not exploded. */
  readonly bounds: Box3;

  constructor(readonly storey: Storey, root: Object3D, materials: Materials, readonly order: number) {
    root.updateMatrixWorld(true);
    this.rooms = new RoomBatch(root, materials.rooms);
    this.context = new ContextBatch(root, materials.opaque, materials.transparent);
    this.group.name = `storey-${storey.id}`;
    this.group.userData = { kind: "storey", storeyId: storey.id };
    if (this.rooms.size) this.group.add(this.rooms.mesh);
    if (this.context.opaque) this.group.add(this.context.opaque);
    if (this.context.transparent) this.group.add(this.context.transparent);
    this.bounds = new Box3().setFromObject(this.group);
  }

  get id(): number {
    return this.storey.id;
  }

  /** Lowest point of the storey's geometry, or its elevation if it has none. */
  get floorY(): number {
    return this.bounds.isEmpty() ? (this.storey.elevation_m ?? 0) : this.bounds.min.y;
  }

  setRoomsVisible(visible: boolean): void {
    this.rooms.mesh.visible = visible;
  }

  dispose(): void {
    this.group.removeFromParent();
    this.rooms.dispose();
    this.context.dispose();
  }
}
