/** Loads a building's storeys one GLB each, the chosen (or lowest) first, adding each as it arrives. */
import type { Mesh, Object3D } from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import type { ApiClient } from "../api/client";
import type { Storey } from "../api/types";
import { StoreyModel } from "./storeyModel";
import type { Viewer } from "./viewer";

/** Storeys in loading order: `first` (if given) then bottom to top. */
export function loadingOrder(storeys: Storey[], first?: number): Storey[] {
  const sorted = [...storeys].sort((a, b) => (a.elevation_m ?? 0) - (b.elevation_m ?? 0) || a.id - b.id);
  const chosen = sorted.find((s) => s.id === first);
  return chosen ? [chosen, ...sorted.filter((s) => s !== chosen)] : sorted;
}

function disposeSource(root: Object3D): void {
  root.traverse((object) => {
    const mesh = object as Mesh;
    if (mesh.isMesh) mesh.geometry.dispose();
  });
}

export interface StoreyLoadEvent { model: StoreyModel; loaded: number; total: number }

/** Fires "storey" (CustomEvent<StoreyLoadEvent>) per storey shown and "done" when all have arrived. */
export class StoreyLoader extends EventTarget {
  private readonly gltf = new GLTFLoader();
  private generation = 0;
  loaded = 0;
  total = 0;
  failed: number[] = [];

  constructor(private readonly api: ApiClient, private readonly viewer: Viewer, private readonly concurrency = 2) {
    super();
  }

  /** Load `storeys` (replacing what the viewer shows); resolves when every storey arrived or failed. */
  async load(storeys: Storey[], first?: number): Promise<void> {
    const generation = ++this.generation;
    this.viewer.clearStoreys();
    const ordered = loadingOrder(storeys, first);
    const rank = new Map(loadingOrder(storeys).map((s, i) => [s.id, i]));
    this.loaded = 0;
    this.total = ordered.length;
    this.failed = [];
    const queue = [...ordered];
    const worker = async (): Promise<void> => {
      for (let storey = queue.shift(); storey; storey = queue.shift()) {
        if (generation !== this.generation) return;
        try {
          const buffer = await this.api.storeyGlb(storey.id);
          if (generation !== this.generation) return;
          const gltf = await this.gltf.parseAsync(buffer, "");
          if (generation !== this.generation) return;
          const model = new StoreyModel(storey, gltf.scene, this.viewer.materials, rank.get(storey.id) ?? 0);
          disposeSource(gltf.scene);
          this.viewer.addStorey(model);
          this.loaded += 1;
          this.dispatchEvent(new CustomEvent<StoreyLoadEvent>("storey", { detail: { model, loaded: this.loaded, total: this.total } }));
        } catch (error) {
          if (generation !== this.generation) return;
          this.failed.push(storey.id);
          this.loaded += 1;
          console.warn(`storey ${storey.id}: no 3D model`, error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ordered.length) }, worker));
    if (generation === this.generation) this.dispatchEvent(new Event("done"));
  }

  cancel(): void {
    this.generation += 1;
  }

  dispose(): void {
    this.cancel();
  }
}
