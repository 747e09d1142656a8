import { BoxGeometry, Group, Mesh, MeshBasicMaterial, type BufferAttribute } from "three";
import { describe, expect, it } from "vitest";
import { ContextBatch } from "../src/scene/contextBatch";
import { RoomBatch } from "../src/scene/roomBatch";

function room(id: string, x: number): Mesh {
  const mesh = new Mesh(new BoxGeometry(2, 3, 2), new MeshBasicMaterial());
  mesh.position.x = x;
  mesh.userData = { kind: "room", global_id: id, number: `R${id}`, name: `room ${id}` };
  return mesh;
}

function storey(): Group {
  const group = new Group();
  group.add(room("a", 0), room("b", 5), room("c", 10));
  const wall = new Mesh(new BoxGeometry(20, 3, 0.2), new MeshBasicMaterial({ color: 0xff0000 }));
  wall.userData = { kind: "context", ifc_class: "IfcWall" };
  const window = new Mesh(new BoxGeometry(1, 1, 0.1), new MeshBasicMaterial({ transparent: true, opacity: 0.4 }));
  window.userData = { kind: "context", ifc_class: "IfcWindow" };
  group.add(wall, window);
  group.updateMatrixWorld(true);
  return group;
}

describe("room batch", () => {
  it("merges every room into one mesh with a roomIndex per vertex", () => {
    const batch = new RoomBatch(storey(), new MeshBasicMaterial());
    expect(batch.size).toBe(3);
    const index = batch.mesh.geometry.getAttribute("roomIndex") as BufferAttribute;
    expect(index.count).toBe(24 * 3);
    expect(batch.roomAtVertex(0)).toBe(0);
    expect(batch.roomAtVertex(24 * 2 + 5)).toBe(2);
    expect(batch.indexOf("b")).toBe(1);
    expect(batch.box(2).min.x).toBeCloseTo(9);
  });

  it("recolours by rewriting the colour attribute only", () => {
    const batch = new RoomBatch(storey(), new MeshBasicMaterial());
    const colour = batch.mesh.geometry.getAttribute("color") as BufferAttribute;
    const version = colour.version;
    batch.setColours((r) => (r.globalId === "b" ? 0xffffff : 0x000000));
    expect(colour.version).toBeGreaterThan(version);
    expect(colour.getX(24)).toBeCloseTo(1);
    expect(colour.getX(0)).toBeCloseTo(0);
    batch.paint(1, 0x000000);
    expect(colour.getX(24)).toBeCloseTo(0);
    batch.paint(1, null);
    expect(colour.getX(24)).toBeCloseTo(1);
  });
});

describe("context batch", () => {
  it("splits context into one opaque and one transparent mesh", () => {
    const batch = new ContextBatch(storey(), new MeshBasicMaterial(), new MeshBasicMaterial());
    expect(batch.classes).toEqual(["IfcWall", "IfcWindow"]);
    expect(batch.opaque?.geometry.getAttribute("position").count).toBe(24);
    expect(batch.transparent?.geometry.getAttribute("position").count).toBe(24);
  });
});
