/** First-person walk: W/A/S/D (or arrows) to move, drag or ←/→ to turn; no pointer lock needed. */
import { Euler, Vector3 } from "three";
import type { Viewer } from "./viewer";

const EYE_HEIGHT = 1.6;
const SPEED = 4; // m/s
const TURN_SPEED = 1.6; // rad/s
const DRAG_SENSITIVITY = 0.004; // rad per pixel

export class WalkControls extends EventTarget {
  private active = false;
  private readonly keys = new Set<string>();
  private readonly euler = new Euler(0, 0, 0, "YXZ");
  private stopTicker: (() => void) | null = null;
  private drag: { x: number; y: number } | null = null;

  constructor(private readonly viewer: Viewer) {
    super();
  }

  get enabled(): boolean {
    return this.active;
  }

  /** Stand at `floorY` + eye height, at the current target, looking the way the camera looked. */
  enable(floorY: number): void {
    if (this.active) return;
    this.active = true;
    const { camera, controls } = this.viewer;
    controls.enabled = false;
    const target = controls.target.clone();
    camera.position.set(target.x, floorY + EYE_HEIGHT, target.z);
    this.euler.setFromQuaternion(camera.quaternion);
    this.euler.x = 0;
    this.euler.z = 0;
    camera.quaternion.setFromEuler(this.euler);
    window.addEventListener("keydown", this.onKeyDown);
    window.addEventListener("keyup", this.onKeyUp);
    const canvas = this.viewer.renderer.domElement;
    canvas.addEventListener("pointerdown", this.onPointerDown);
    window.addEventListener("pointermove", this.onPointerMove);
    window.addEventListener("pointerup", this.onPointerUp);
    this.viewer.requestRender();
    this.dispatchEvent(new Event("change"));
  }

  disable(): void {
    if (!this.active) return;
    this.active = false;
    this.keys.clear();
    this.stopTicker?.();
    this.stopTicker = null;
    window.removeEventListener("keydown", this.onKeyDown);
    window.removeEventListener("keyup", this.onKeyUp);
    const canvas = this.viewer.renderer.domElement;
    canvas.removeEventListener("pointerdown", this.onPointerDown);
    window.removeEventListener("pointermove", this.onPointerMove);
    window.removeEventListener("pointerup", this.onPointerUp);
    const { camera, controls } = this.viewer;
    const ahead = new Vector3(0, 0, -5).applyQuaternion(camera.quaternion);
    controls.target.copy(camera.position).add(ahead);
    controls.enabled = true;
    controls.update();
    this.dispatchEvent(new Event("change"));
  }

  private readonly tick = (dt: number): void => {
    const { camera } = this.viewer;
    const turn = (this.keys.has("ArrowLeft") ? 1 : 0) - (this.keys.has("ArrowRight") ? 1 : 0);
    if (turn) {
      this.euler.y += turn * TURN_SPEED * dt;
      camera.quaternion.setFromEuler(this.euler);
    }
    const forward = (this.keys.has("KeyW") || this.keys.has("ArrowUp") ? 1 : 0) - (this.keys.has("KeyS") || this.keys.has("ArrowDown") ? 1 : 0);
    const strafe = (this.keys.has("KeyD") ? 1 : 0) - (this.keys.has("KeyA") ? 1 : 0);
    if (forward || strafe) {
      const direction = new Vector3(strafe, 0, -forward).normalize().applyEuler(new Euler(0, this.euler.y, 0));
      camera.position.addScaledVector(direction, SPEED * dt);
      this.viewer.dispatchEvent(new Event("camera"));
    }
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
    if (event.code === "Escape") {
      this.disable();
      return;
    }
    this.keys.add(event.code);
    // frames run only while a key is held: an idle walk costs nothing
    if (!this.stopTicker) this.stopTicker = this.viewer.addTicker(this.tick);
  };

  private readonly onKeyUp = (event: KeyboardEvent): void => {
    this.keys.delete(event.code);
    if (this.keys.size === 0) {
      this.stopTicker?.();
      this.stopTicker = null;
    }
  };

  private readonly onPointerDown = (event: PointerEvent): void => {
    this.drag = { x: event.clientX, y: event.clientY };
  };

  private readonly onPointerMove = (event: PointerEvent): void => {
    if (!this.drag) return;
    this.euler.y -= (event.clientX - this.drag.x) * DRAG_SENSITIVITY;
    this.euler.x = Math.max(-1.2, Math.min(1.2, this.euler.x - (event.clientY - this.drag.y) * DRAG_SENSITIVITY));
    this.drag = { x: event.clientX, y: event.clientY };
    this.viewer.camera.quaternion.setFromEuler(this.euler);
    this.viewer.requestRender();
  };

  private readonly onPointerUp = (): void => {
    this.drag = null;
  };

  dispose(): void {
    this.disable();
  }
}
