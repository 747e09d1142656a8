/** A horizontal section: everything above `height` (world Y, metres) is clipped away. */
import { Plane, Vector3 } from "three";
import type { Viewer } from "./viewer";

export class SectionPlane {
  readonly plane = new Plane(new Vector3(0, -1, 0), 0);
  private on = false;

  constructor(private readonly viewer: Viewer) {}

  get enabled(): boolean {
    return this.on;
  }

  get height(): number {
    return this.plane.constant;
  }

  set height(y: number) {
    this.plane.constant = y;
    this.viewer.requestRender();
  }

  /** Enable at `height` (default: keep the last height). */
  enable(height?: number): void {
    if (height !== undefined) this.plane.constant = height;
    this.on = true;
    this.viewer.setClipping([this.plane]);
  }

  disable(): void {
    this.on = false;
    this.viewer.setClipping([]);
  }

  dispose(): void {
    this.disable();
  }
}
