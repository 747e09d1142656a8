/** Context (walls, slabs, windows...) of a storey merged into at most two meshes: opaque and transparent. */
import { Color, type Material, Mesh, type MeshStandardMaterial, type Object3D } from "three";
import { type MergeSource, mergeMeshes } from "./merge";

function isMesh(object: Object3D): object is Mesh {
  return (object as Mesh).isMesh === true;
}

function materialOf(mesh: Mesh): MeshStandardMaterial | null {
  const material = Array.isArray(mesh.material) ? mesh.material[0] : mesh.material;
  return (material as MeshStandardMaterial | undefined) ?? null;
}

function build(sources: MergeSource[], material: Material, name: string): Mesh | null {
  if (!sources.length) return null;
  const mesh = new Mesh(mergeMeshes(sources).geometry, material);
  mesh.name = name;
  mesh.userData = { kind: "context" };
  return mesh;
}

export class ContextBatch {
  readonly opaque: Mesh | null;
  readonly transparent: Mesh | null;
  /** IFC classes present on the storey. */
  readonly classes: string[];

  constructor(root: Object3D, opaqueMaterial: Material, transparentMaterial: Material) {
    const opaque: MergeSource[] = [];
    const transparent: MergeSource[] = [];
    const classes = new Set<string>();
    const fallback = new Color(0xcccccc);
    root.traverse((object) => {
      if (!isMesh(object)) return;
      const data = { ...object.parent?.userData, ...object.userData } as Record<string, unknown>;
      if (data.kind === "room") return;
      if (typeof data.ifc_class === "string") classes.add(data.ifc_class);
      const material = materialOf(object);
      const colour = material?.color ?? fallback;
      const source: MergeSource = { mesh: object, rgb: [colour.r, colour.g, colour.b] };
      const seeThrough = (material?.transparent ?? false) || (material?.opacity ?? 1) < 0.99;
      (seeThrough ? transparent : opaque).push(source);
    });
    this.classes = [...classes].sort();
    this.opaque = build(opaque, opaqueMaterial, "context-opaque");
    this.transparent = build(transparent, transparentMaterial, "context-transparent");
  }

  dispose(): void {
    this.opaque?.geometry.dispose();
    this.transparent?.geometry.dispose();
  }
}
