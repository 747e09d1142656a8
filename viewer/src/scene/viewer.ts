/** Renderer, scene, camera, orbit controls, render-on-demand loop and the loaded storeys. */
import {
  AmbientLight, Box3, Color, DirectionalLight, HemisphereLight, type Plane, PerspectiveCamera, Scene, Vector3, WebGLRenderer,
} from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import type { CameraState } from "../state/url";
import { Materials } from "./materials";
import type { StoreyModel } from "./storeyModel";

export type Ticker = (dt: number) => void;

export interface RenderStats { calls: number; triangles: number; frames: number }

export class Viewer extends EventTarget {
  readonly renderer: WebGLRenderer;
  readonly scene = new Scene();
  readonly camera = new PerspectiveCamera(45, 1, 0.1, 5000);
  readonly controls: OrbitControls;
  readonly materials = new Materials();
  readonly storeys = new Map<number, StoreyModel>();
  readonly lastFrame: RenderStats = { calls: 0, triangles: 0, frames: 0 };
  private readonly tickers = new Set<Ticker>();
  private readonly resizeObserver: ResizeObserver;
  private frameRequest = 0;
  private frameTimer: ReturnType<typeof setTimeout> | null = null;
  private lastRenderAt = -Infinity;
  private urgent = false;
  /** Minimum time between frames that nobody is waiting for (e.g. storeys arriving); 0: every frame. */
  minFrameInterval = 0;
  private dirty = true;
  private lastTime = 0;

  constructor(readonly container: HTMLElement) {
    super();
    this.renderer = new WebGLRenderer({ antialias: true, powerPreference: "high-performance" });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.domElement.className = "viewer-canvas";
    this.renderer.domElement.setAttribute("data-testid", "viewer-canvas");
    container.appendChild(this.renderer.domElement);
    this.scene.background = new Color(0xeef1f5);
    this.scene.add(new HemisphereLight(0xffffff, 0x8d8d8d, 1.6));
    this.scene.add(new AmbientLight(0xffffff, 0.6));
    const sun = new DirectionalLight(0xffffff, 1.4);
    sun.position.set(30, 60, 20);
    this.scene.add(sun);
    this.camera.position.set(40, 40, 40);
    this.controls = new OrbitControls(this.camera, this.renderer.domElement);
    this.controls.screenSpacePanning = true;
    this.controls.addEventListener("change", () => {
      this.requestRender(true);
      this.dispatchEvent(new Event("camera"));
    });
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
  }

  resize(): void {
    const width = Math.max(1, this.container.clientWidth);
    const height = Math.max(1, this.container.clientHeight);
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  get idle(): boolean {
    return !this.dirty && this.tickers.size === 0 && this.frameRequest === 0 && this.frameTimer === null;
  }

  /** Draw again soon; `urgent` (user interaction) ignores minFrameInterval. */
  requestRender(urgent = false): void {
    this.dirty = true;
    if (urgent) this.urgent = true;
    this.schedule();
  }

  /** Run `ticker` every frame until the returned function is called. */
  addTicker(ticker: Ticker): () => void {
    this.tickers.add(ticker);
    this.schedule();
    return () => {
      this.tickers.delete(ticker);
    };
  }

  private schedule(): void {
    if (this.frameRequest) return;
    const wait = this.urgent || this.tickers.size ? 0 : this.minFrameInterval - (performance.now() - this.lastRenderAt);
    if (wait > 0) {
      this.frameTimer ??= setTimeout(() => {
        this.frameTimer = null;
        if (!this.frameRequest) this.frameRequest = requestAnimationFrame(this.frame);
      }, wait);
      return;
    }
    if (this.frameTimer !== null) {
      clearTimeout(this.frameTimer);
      this.frameTimer = null;
    }
    this.frameRequest = requestAnimationFrame(this.frame);
  }

  private readonly frame = (time: number): void => {
    this.frameRequest = 0;
    const dt = this.lastTime ? Math.min(0.1, (time - this.lastTime) / 1000) : 0;
    this.lastTime = time;
    for (const ticker of [...this.tickers]) ticker(dt);
    if (this.dirty || this.tickers.size) this.render();
    if (this.tickers.size) this.schedule();
    else this.lastTime = 0;
  };

  render(): void {
    this.dirty = false;
    this.urgent = false;
    this.lastRenderAt = performance.now();
    this.renderer.render(this.scene, this.camera);
    const { calls, triangles } = this.renderer.info.render;
    this.lastFrame.calls = calls;
    this.lastFrame.triangles = triangles;
    this.lastFrame.frames += 1;
    this.dispatchEvent(new Event("rendered"));
  }

  addStorey(model: StoreyModel): void {
    this.storeys.get(model.id)?.dispose();
    this.storeys.set(model.id, model);
    this.scene.add(model.group);
    this.requestRender();
  }

  clearStoreys(): void {
    for (const model of this.storeys.values()) model.dispose();
    this.storeys.clear();
    this.requestRender();
  }

  /** Sorted bottom to top. */
  orderedStoreys(): StoreyModel[] {
    return [...this.storeys.values()].sort((a, b) => a.order - b.order);
  }

  /** Bounds of what is visible now (storeys as placed, e.g. exploded). */
  visibleBounds(): Box3 {
    const box = new Box3();
    for (const model of this.storeys.values()) if (model.group.visible) box.expandByObject(model.group);
    return box;
  }

  /** Put the camera so that `box` fills the view, looking from the south-east and above. */
  frameBox(box: Box3, direction = new Vector3(1, 0.8, 1.2)): CameraState {
    const centre = box.getCenter(new Vector3());
    const radius = Math.max(box.getSize(new Vector3()).length() / 2, 2);
    const distance = radius / Math.sin((this.camera.fov * Math.PI) / 360);
    const position = centre.clone().add(direction.normalize().multiplyScalar(distance));
    return { position: position.toArray() as CameraState["position"], target: centre.toArray() as CameraState["target"] };
  }

  getCamera(): CameraState {
    return {
      position: this.camera.position.toArray() as CameraState["position"],
      target: this.controls.target.toArray() as CameraState["target"],
    };
  }

  setCamera(state: CameraState): void {
    this.camera.position.fromArray(state.position);
    this.controls.target.fromArray(state.target);
    this.camera.lookAt(this.controls.target);
    this.controls.update();
    this.requestRender();
    this.dispatchEvent(new Event("camera"));
  }

  setClipping(planes: Plane[]): void {
    this.renderer.clippingPlanes = planes;
    this.requestRender();
  }

  dispose(): void {
    cancelAnimationFrame(this.frameRequest);
    if (this.frameTimer !== null) clearTimeout(this.frameTimer);
    this.tickers.clear();
    this.resizeObserver.disconnect();
    this.controls.dispose();
    this.clearStoreys();
    this.materials.dispose();
    this.renderer.dispose();
    this.renderer.domElement.remove();
  }
}
