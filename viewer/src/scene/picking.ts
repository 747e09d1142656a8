/** Picking: one raycast against each storey's merged room mesh → face → roomIndex → GlobalId. */
import { type Intersection, type Mesh, Raycaster, Vector2, type Vector3 } from "three";
import type { StoreyModel } from "./storeyModel";
import type { Viewer } from "./viewer";

export interface PickResult { storey: StoreyModel; index: number; globalId: string; point: Vector3 }

const CLICK_TOLERANCE_PX = 5;

/** Fires "hover" and "pick" CustomEvents whose detail is a PickResult or null. */
export class RoomPicker extends EventTarget {
  enabled = true;
  private readonly raycaster = new Raycaster();
  private readonly pointer = new Vector2();
  private down: { x: number; y: number } | null = null;
  private pendingMove: PointerEvent | null = null;
  private moveFrame = 0;
  private hovered: string | null = null;

  constructor(private readonly viewer: Viewer) {
    super();
    const canvas = viewer.renderer.domElement;
    canvas.addEventListener("pointermove", this.onMove);
    canvas.addEventListener("pointerdown", this.onDown);
    canvas.addEventListener("pointerup", this.onUp);
    canvas.addEventListener("pointerleave", this.onLeave);
  }

  /** The room under a point of the viewport (client coordinates), skipping clipped-away parts. */
  pick(clientX: number, clientY: number): PickResult | null {
    const rect = this.viewer.renderer.domElement.getBoundingClientRect();
    this.pointer.set(((clientX - rect.left) / rect.width) * 2 - 1, -((clientY - rect.top) / rect.height) * 2 + 1);
    this.raycaster.setFromCamera(this.pointer, this.viewer.camera);
    const meshes: Mesh[] = [];
    const owners = new Map<Mesh, StoreyModel>();
    for (const model of this.viewer.storeys.values()) {
      if (!model.group.visible || !model.rooms.mesh.visible || !model.rooms.size) continue;
      meshes.push(model.rooms.mesh);
      owners.set(model.rooms.mesh, model);
    }
    const planes = this.viewer.renderer.clippingPlanes;
    const hit = this.raycaster
      .intersectObjects(meshes, false)
      .find((h: Intersection) => h.face && planes.every((plane) => plane.distanceToPoint(h.point) >= 0));
    if (!hit || !hit.face) return null;
    const storey = owners.get(hit.object as Mesh)!;
    const index = storey.rooms.roomAtVertex(hit.face.a);
    const room = storey.rooms.rooms[index];
    return room ? { storey, index, globalId: room.globalId, point: hit.point } : null;
  }

  private readonly onMove = (event: PointerEvent): void => {
    if (!this.enabled || event.buttons) return;
    this.pendingMove = event;
    if (this.moveFrame) return;
    this.moveFrame = requestAnimationFrame(() => {
      this.moveFrame = 0;
      const move = this.pendingMove;
      if (!move) return;
      const result = this.pick(move.clientX, move.clientY);
      const id = result?.globalId ?? null;
      if (id === this.hovered) return;
      this.hovered = id;
      this.dispatchEvent(new CustomEvent<PickResult | null>("hover", { detail: result }));
    });
  };

  private readonly onLeave = (): void => {
    if (this.hovered === null) return;
    this.hovered = null;
    this.dispatchEvent(new CustomEvent<PickResult | null>("hover", { detail: null }));
  };

  private readonly onDown = (event: PointerEvent): void => {
    this.down = { x: event.clientX, y: event.clientY };
  };

  private readonly onUp = (event: PointerEvent): void => {
    const down = this.down;
    this.down = null;
    if (!this.enabled || !down || event.button !== 0) return;
    if (Math.hypot(event.clientX - down.x, event.clientY - down.y) > CLICK_TOLERANCE_PX) return;
    this.dispatchEvent(new CustomEvent<PickResult | null>("pick", { detail: this.pick(event.clientX, event.clientY) }));
  };

  dispose(): void {
    const canvas = this.viewer.renderer.domElement;
    canvas.removeEventListener("pointermove", this.onMove);
    canvas.removeEventListener("pointerdown", this.onDown);
    canvas.removeEventListener("pointerup", this.onUp);
    canvas.removeEventListener("pointerleave", this.onLeave);
    cancelAnimationFrame(this.moveFrame);
  }
}
