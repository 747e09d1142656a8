/** Animate the camera to a new position and target (eased), e.g. to frame a room. */
import { Box3, Vector3 } from "three";
import type { CameraState } from "../state/url";
import type { Viewer } from "./viewer";

const ease = (t: number): number => (t < 0.5 ? 4 * t * t * t : 1 - (-2 * t + 2) ** 3 / 2);

export class FlyTo {
  private stop: (() => void) | null = null;

  constructor(private readonly viewer: Viewer, private readonly seconds = 0.7) {}

  /** Fly so that `box` (world space) fills the view, padded by `padding` × its diagonal (≥ 2 m), from above and to the south. */
  toBox(box: Box3, padding = 0.8): Promise<void> {
    const padded = box.clone().expandByScalar(Math.max(2, box.getSize(new Vector3()).length() * padding));
    return this.to(this.viewer.frameBox(padded, new Vector3(0.6, 1.3, 1)));
  }

  to(state: CameraState): Promise<void> {
    this.cancel();
    const { camera, controls } = this.viewer;
    const fromPosition = camera.position.clone();
    const fromTarget = controls.target.clone();
    const toPosition = new Vector3().fromArray(state.position);
    const toTarget = new Vector3().fromArray(state.target);
    let elapsed = 0;
    return new Promise((resolve) => {
      const finish = (): void => {
        this.stop?.();
        this.stop = null;
        resolve();
      };
      this.stop = this.viewer.addTicker((dt) => {
        elapsed += dt;
        const t = ease(Math.min(1, elapsed / this.seconds));
        camera.position.lerpVectors(fromPosition, toPosition, t);
        controls.target.lerpVectors(fromTarget, toTarget, t);
        controls.update();
        if (t >= 1) finish();
      });
    });
  }

  cancel(): void {
    this.stop?.();
    this.stop = null;
  }

  dispose(): void {
    this.cancel();
  }
}

/** A box in a storey's local space moved into world space by the storey group's transform. */
export function toWorld(box: Box3, matrixWorld: import("three").Matrix4): Box3 {
  return new Box3().copy(box).applyMatrix4(matrixWorld);
}
