/** Merge many meshes into one indexed BufferGeometry in world space (no normals: flat shading). */
import { BufferAttribute, BufferGeometry, type Mesh, Vector3 } from "three";

export interface MergeSource {
  mesh: Mesh;
  /** Colour of every vertex of this mesh, 0..1 linear RGB. */
  rgb?: [number, number, number];
}

export interface MergeResult {
  geometry: BufferGeometry;
  /** Vertex range [start, end) of each source in the merged geometry. */
  ranges: Array<[number, number]>;
}

function sizes(sources: MergeSource[]): { vertices: number; indices: number } {
  let vertices = 0;
  let indices = 0;
  for (const { mesh } of sources) {
    const position = mesh.geometry.getAttribute("position");
    if (!position) continue;
    vertices += position.count;
    indices += mesh.geometry.index ? mesh.geometry.index.count : position.count;
  }
  return { vertices, indices };
}

/**
 * One geometry holding every source mesh, positions transformed by each mesh's world matrix,
 * a `roomIndex` attribute (the source's position in `sources`) and a `color` attribute (linear RGB floats).
 */
export function mergeMeshes(sources: MergeSource[]): MergeResult {
  const { vertices, indices } = sizes(sources);
  const positions = new Float32Array(vertices * 3);
  const colours = new Float32Array(vertices * 3);
  const roomIndex = new Uint16Array(vertices);
  const index = vertices > 65535 ? new Uint32Array(indices) : new Uint16Array(indices);
  const ranges: Array<[number, number]> = [];
  const v = new Vector3();
  let vertexOffset = 0;
  let indexOffset = 0;
  sources.forEach(({ mesh, rgb }, sourceIndex) => {
    const geometry = mesh.geometry;
    const position = geometry.getAttribute("position");
    if (!position) {
      ranges.push([vertexOffset, vertexOffset]);
      return;
    }
    mesh.updateWorldMatrix(true, false);
    const [r, g, b] = rgb ?? [1, 1, 1];
    for (let i = 0; i < position.count; i += 1) {
      v.fromBufferAttribute(position, i).applyMatrix4(mesh.matrixWorld);
      const o = (vertexOffset + i) * 3;
      positions[o] = v.x;
      positions[o + 1] = v.y;
      positions[o + 2] = v.z;
      colours[o] = r;
      colours[o + 1] = g;
      colours[o + 2] = b;
      roomIndex[vertexOffset + i] = sourceIndex;
    }
    if (geometry.index) {
      const source = geometry.index;
      for (let i = 0; i < source.count; i += 1) index[indexOffset + i] = source.getX(i) + vertexOffset;
      indexOffset += source.count;
    } else {
      for (let i = 0; i < position.count; i += 1) index[indexOffset + i] = vertexOffset + i;
      indexOffset += position.count;
    }
    ranges.push([vertexOffset, vertexOffset + position.count]);
    vertexOffset += position.count;
  });
  const geometry = new BufferGeometry();
  geometry.setAttribute("position", new BufferAttribute(positions, 3));
  geometry.setAttribute("color", new BufferAttribute(colours, 3));
  geometry.setAttribute("roomIndex", new BufferAttribute(roomIndex, 1));
  geometry.setIndex(new BufferAttribute(index, 1));
  geometry.computeBoundingBox();
  geometry.computeBoundingSphere();
  return { geometry, ranges };
}
