/** All rooms of a storey as ONE mesh: per-vertex colour and roomIndex; colouring rewrites one attribute. */
import { Box3, type BufferAttribute, Color, type Material, Mesh, type Object3D, Vector3 } from "three";
import { mergeMeshes } from "./merge";

export interface RoomInfo { globalId: string; number: string | null; name: string | null }

function isMesh(object: Object3D): object is Mesh {
  return (object as Mesh).isMesh === true;
}

/** The room meshes of a loaded GLB scene, in traversal order, with their userData. */
export function findRooms(root: Object3D): { mesh: Mesh; info: RoomInfo }[] {
  const rooms: { mesh: Mesh; info: RoomInfo }[] = [];
  root.traverse((object) => {
    if (!isMesh(object)) return;
    const data = { ...object.parent?.userData, ...object.userData } as Record<string, unknown>;
    if (data.kind !== "room" || typeof data.global_id !== "string") return;
    rooms.push({
      mesh: object,
      info: {
        globalId: data.global_id,
        number: typeof data.number === "string" ? data.number : null,
        name: typeof data.name === "string" ? data.name : null,
      },
    });
  });
  return rooms;
}

const scratch = new Color();

export class RoomBatch {
  readonly mesh: Mesh;
  readonly rooms: RoomInfo[];
  private readonly ranges: Array<[number, number]>;
  private readonly boxes: Box3[];
  private readonly byId = new Map<string, number>();
  private readonly base: Uint32Array;

  constructor(root: Object3D, material: Material) {
    const found = findRooms(root);
    const { geometry, ranges } = mergeMeshes(found.map(({ mesh }) => ({ mesh })));
    this.rooms = found.map(({ info }) => info);
    this.ranges = ranges;
    this.base = new Uint32Array(found.length).fill(0xdddddd);
    this.rooms.forEach((room, i) => this.byId.set(room.globalId, i));
    const position = geometry.getAttribute("position") as BufferAttribute;
    const v = new Vector3();
    this.boxes = ranges.map(([start, end]) => {
      const box = new Box3();
      for (let i = start; i < end; i += 1) box.expandByPoint(v.fromBufferAttribute(position, i));
      return box;
    });
    this.mesh = new Mesh(geometry, material);
    this.mesh.name = "rooms";
    this.mesh.userData = { kind: "rooms" };
  }

  get size(): number {
    return this.rooms.length;
  }

  indexOf(globalId: string): number | undefined {
    return this.byId.get(globalId);
  }

  /** Room index of a vertex (from the `roomIndex` attribute). */
  roomAtVertex(vertex: number): number {
    return (this.mesh.geometry.getAttribute("roomIndex") as BufferAttribute).getX(vertex);
  }

  /** Room bounding box in the storey's local space. */
  box(index: number): Box3 {
    return this.boxes[index]!.clone();
  }

  /** Set every room's base colour (0xRRGGBB) in one pass over the colour attribute. */
  setColours(colourOf: (room: RoomInfo, index: number) => number): void {
    this.rooms.forEach((room, i) => {
      this.base[i] = colourOf(room, i);
      this.write(i, this.base[i]!);
    });
    this.touch();
  }

  /** Paint one room (e.g. hover, selection) without changing its base colour. */
  paint(index: number, colour: number | null): void {
    if (index < 0 || index >= this.rooms.length) return;
    this.write(index, colour ?? this.base[index]!);
    this.touch();
  }

  /** The colour a room shows now (first vertex), back in sRGB hex. */
  paintedColour(index: number): number {
    const attribute = this.mesh.geometry.getAttribute("color") as BufferAttribute;
    const start = this.ranges[index]![0];
    return scratch.setRGB(attribute.getX(start), attribute.getY(start), attribute.getZ(start)).getHex();
  }

  baseColour(index: number): number {
    return this.base[index] ?? 0;
  }

  private write(index: number, colour: number): void {
    const attribute = this.mesh.geometry.getAttribute("color") as BufferAttribute;
    const array = attribute.array as Float32Array;
    const [start, end] = this.ranges[index]!;
    const { r, g, b } = scratch.setHex(colour); // sRGB hex -> linear working colour space
    for (let i = start; i < end; i += 1) {
      array[i * 3] = r;
      array[i * 3 + 1] = g;
      array[i * 3 + 2] = b;
    }
  }

  private touch(): void {
    (this.mesh.geometry.getAttribute("color") as BufferAttribute).needsUpdate = true;
  }

  dispose(): void {
    this.mesh.geometry.dispose();
  }
}
