"""GLB assets: rooms as nodes keyed by GlobalId, context merged per class, Y up."""

from __future__ import annotations

import io

import numpy as np
import pytest
import trimesh

from twin.geometry.gltf import RoomNode, build_scene, export_glb, get_scene_key, to_y_up
from twin.geometry.mesher import ElementMesh


def box(global_id, ifc_class, origin, size=(1, 1, 1)):
    mesh = trimesh.creation.box(extents=size)
    vertices = np.asarray(mesh.vertices) + np.asarray(size) / 2 + np.asarray(origin)
    return ElementMesh(global_id, 1, ifc_class, vertices, np.asarray(mesh.faces))


def load(glb: bytes) -> trimesh.Scene:
    return trimesh.load(io.BytesIO(glb), file_type="glb")


def test_z_up_becomes_y_up():
    assert to_y_up(np.array([[1.0, 2.0, 3.0]])).tolist() == [[1.0, 3.0, -2.0]]


def test_each_room_is_a_node_named_by_its_global_id_with_its_extras():
    rooms = [RoomNode(box("room-a", "IfcSpace", (0, 0, 0)), {"number": "A-0101"}), RoomNode(box("room-b", "IfcSpace", (2, 0, 0)))]
    walls = [box(f"wall-{i}", "IfcWall", (i, 5, 0)) for i in range(3)]
    scene = load(export_glb(build_scene(rooms, walls + [box("w", "IfcWindow", (0, 9, 0))])))
    names = set(scene.graph.nodes_geometry)
    assert {"room-a", "room-b", "IfcWall", "IfcWindow"} <= names
    assert len(scene.geometry) == 4  # three walls merged into one mesh
    room = scene.geometry[scene.graph["room-a"][1]]
    assert room.metadata.get("extras", room.metadata).get("global_id") == "room-a" or room.metadata.get("global_id") == "room-a"
    wall = scene.geometry[scene.graph["IfcWall"][1]]
    assert len(wall.faces) == 36


def test_the_scene_is_y_up_so_a_tall_room_is_tall_in_y():
    scene = load(export_glb(build_scene([RoomNode(box("r", "IfcSpace", (0, 0, 0), size=(1, 2, 5)))], [])))
    extents = scene.geometry[scene.graph["r"][1]].bounds
    assert (extents[1] - extents[0]).tolist() == pytest.approx([1, 5, 2])


def test_the_glb_does_not_depend_on_the_order_of_the_context_elements():
    walls = [box(f"wall{i}", "IfcWall", (i, 0, 0)) for i in range(5)]
    forward = export_glb(build_scene([], walls))
    assert export_glb(build_scene([], walls[::-1])) == forward
    assert get_scene_key([], walls) == get_scene_key([], walls[::-1])


def test_the_scene_key_changes_with_any_input_that_changes_the_glb():
    room = RoomNode(box("room1", "IfcSpace", (0, 0, 0)), {"number": "101"})
    wall = box("wall1", "IfcWall", (0, 0, 0))
    key = get_scene_key([room], [wall])
    assert get_scene_key([room], [wall]) == key
    assert get_scene_key([RoomNode(room.mesh, {"number": "102"})], [wall]) != key  # the room's label
    assert get_scene_key([room], [box("wall1", "IfcWall", (0, 0, 0.01))]) != key  # a wall moved 1 cm
    assert get_scene_key([room], [box("wall1", "IfcSlab", (0, 0, 0))]) != key  # another class, another colour
    assert get_scene_key([room], [wall], group="storey-2") != key
