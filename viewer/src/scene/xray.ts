/** X-ray: the opaque context of every storey becomes a faint ghost so rooms show through. */
import type { StoreyModel } from "./storeyModel";
import type { Viewer } from "./viewer";

export class XrayTool {
  private on = false;

  constructor(private readonly viewer: Viewer) {}

  get enabled(): boolean {
    return this.on;
  }

  set enabled(on: boolean) {
    this.on = on;
    for (const model of this.viewer.storeys.values()) this.apply(model);
    this.viewer.requestRender();
  }

  /** Apply the current state to a storey (call for each storey as it arrives). */
  apply(model: StoreyModel): void {
    const mesh = model.context.opaque;
    if (mesh) mesh.material = this.on ? this.viewer.materials.ghost : this.viewer.materials.opaque;
  }

  dispose(): void {
    this.enabled = false;
  }
}
