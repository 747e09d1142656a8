"""The GLB writer: valid binary glTF that trimesh (and three.js, in the viewer's tests) reads back."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest
import trimesh

from twin.geometry.glb import GlbScene, join_glbs, read_glb

SQUARE = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
TWO_TRIANGLES = np.array([[0, 1, 2], [0, 2, 3]])


def read_json(glb: bytes) -> dict:
    magic, version, length = struct.unpack("<4sII", glb[:12])
    assert (magic, version, length) == (b"glTF", 2, len(glb))
    size, kind = struct.unpack("<I4s", glb[12:20])
    assert kind == b"JSON" and size % 4 == 0
    return json.loads(glb[20:20 + size])


def test_a_mesh_reads_back_with_its_name_extras_and_exact_geometry():
    scene = GlbScene()
    scene.add("room-1", SQUARE, TWO_TRIANGLES, colour=(110, 160, 230, 160), material="room",
              extras={"global_id": "room-1", "area": np.float64(1.5)})
    glb = scene.to_glb()
    document = read_json(glb)
    assert document["meshes"][0]["extras"] == {"global_id": "room-1", "area": 1.5}
    assert document["materials"][0]["alphaMode"] == "BLEND"
    loaded = trimesh.load(io.BytesIO(glb), file_type="glb")
    mesh = loaded.geometry[loaded.graph["room-1"][1]]
    assert np.allclose(mesh.vertices, SQUARE) and mesh.faces.tolist() == TWO_TRIANGLES.tolist()


def test_identical_data_and_materials_are_written_once_and_views_are_word_aligned():
    scene = GlbScene()
    for i in range(3):
        scene.add(f"wall-{i}", SQUARE + i, TWO_TRIANGLES, colour=(225, 222, 214, 255), material="IfcWall", extras={})
    scene.add("door", SQUARE, TWO_TRIANGLES[:1], colour=(150, 110, 70, 255), material="IfcDoor", extras={})
    glb = scene.to_glb()
    document = read_json(glb)
    assert [m["name"] for m in document["materials"]] == ["IfcWall", "IfcDoor"]
    assert all(view["byteOffset"] % 4 == 0 for view in document["bufferViews"])
    primitives = [mesh["primitives"][0] for mesh in document["meshes"]]
    assert len({p["indices"] for p in primitives[:3]}) == 1  # the walls share their indices
    assert primitives[3]["attributes"]["POSITION"] == primitives[0]["attributes"]["POSITION"]  # door and wall-0: one square
    assert len(document["accessors"]) == 1 + 3 + 1  # one index list, three squares, the door's one triangle
    positions = document["accessors"][primitives[2]["attributes"]["POSITION"]]
    assert (positions["min"], positions["max"]) == ([2.0, 2.0, 2.0], [3.0, 2.0, 3.0])
    loaded = trimesh.load(io.BytesIO(glb), file_type="glb")
    assert len(loaded.geometry["door"].faces) == 1 and len(loaded.geometry["wall-1"].faces) == 2


def test_an_empty_scene_is_still_a_valid_glb():
    glb = GlbScene().to_glb()
    document = read_json(glb)
    assert "nodes" not in document and "buffers" not in document
    assert len(trimesh.load(io.BytesIO(glb), file_type="glb").geometry) == 0


def test_a_node_without_triangles_keeps_its_extras_and_draws_nothing():
    scene = GlbScene()
    scene.add("nothing", np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64), colour=(0, 0, 0, 255), material="x", extras={"kind": "room"})
    document = read_json(scene.to_glb())
    assert document["nodes"] == [{"name": "nothing", "extras": {"kind": "room"}}]


def storey_glb(shift: float, *, extra_room: bool = False) -> bytes:
    """A storey of two rooms of one shape, a wall and (``extra_room``) a room without triangles."""
    scene = GlbScene()
    for name in ("room-a", "room-b"):
        scene.add(name, SQUARE + shift, TWO_TRIANGLES, colour=(110, 160, 230, 160), material="room", extras={"kind": "room", "global_id": name})
    scene.add("IfcWall", SQUARE * 2, TWO_TRIANGLES, colour=(225, 222, 214, 255), material="IfcWall", extras={"kind": "context", "count": 1})
    if extra_room:
        scene.add("room-c", SQUARE[:0], TWO_TRIANGLES[:0], colour=(110, 160, 230, 160), material="room", extras={"kind": "room"})
    return scene.to_glb()


def test_storeys_joined_into_a_building_are_byte_for_byte_one_scene_of_all_their_nodes():
    one_scene = GlbScene()
    for group, shift, extra in (("storey-1", 0.0, False), ("storey-2", 3.0, True)):
        for name in ("room-a", "room-b"):
            one_scene.add(f"{group}/{name}", SQUARE + shift, TWO_TRIANGLES, colour=(110, 160, 230, 160), material="room",
                          extras={"kind": "room", "global_id": name, "storey_global_id": group})
        one_scene.add(f"{group}/IfcWall", SQUARE * 2, TWO_TRIANGLES, colour=(225, 222, 214, 255), material="IfcWall",
                      extras={"kind": "context", "count": 1, "storey_global_id": group})
        if extra:
            one_scene.add(f"{group}/room-c", SQUARE[:0], TWO_TRIANGLES[:0], colour=(110, 160, 230, 160), material="room",
                          extras={"kind": "room", "storey_global_id": group})
    joined = join_glbs([(storey_glb(0.0), "storey-1"), (storey_glb(3.0, extra_room=True), "storey-2")])
    assert joined == one_scene.to_glb()
    document = read_json(joined)
    assert len(document["bufferViews"]) == 4  # indices once, a square per storey, the wall's once: shared across storeys
    assert [m["name"] for m in document["materials"]] == ["room", "IfcWall"]
    assert document["nodes"][-1] == {"name": "storey-2/room-c", "extras": {"kind": "room", "storey_global_id": "storey-2"}}


def test_a_file_that_is_not_a_glb_is_refused():
    with pytest.raises(ValueError):
        read_glb(b"PK\x03\x04 not a glb at all")
