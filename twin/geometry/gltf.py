"""GLB assets for the viewer: one scene per storey (and per building), rooms as nodes by GlobalId.

Input meshes are in the IFC world frame (metres, Z up); glTF is Y up, so every vertex goes
through :func:`to_y_up` ((x, y, z) -> (x, z, -y)) once, here. Each room is its own node and
mesh, named by its GlobalId and carrying ``{"kind": "room", "global_id": ...}`` in its extras
(three.js ``userData``; three.js rewrites node names, so key by ``userData.global_id``). Context
elements are merged into one mesh per IFC class per storey (``{"kind": "context",
"ifc_class": ...}``), so draw calls grow with storeys, not with elements.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twin.geometry import glb
from twin.geometry.keys import get_code_fingerprint
from twin.geometry.glb import GlbScene
from twin.geometry.meshes import ElementMesh, load_meshes

#: Base colours (RGBA 0-255) of the context classes; rooms get ROOM_COLOUR.
CLASS_COLOURS = {
    "IfcWall": (225, 222, 214, 255),
    "IfcWallStandardCase": (225, 222, 214, 255),
    "IfcCurtainWall": (150, 190, 215, 120),
    "IfcSlab": (190, 190, 190, 255),
    "IfcRoof": (160, 90, 70, 255),
    "IfcWindow": (120, 170, 210, 110),
    "IfcPlate": (120, 170, 210, 110),
    "IfcDoor": (150, 110, 70, 255),
    "IfcColumn": (200, 200, 200, 255),
    "IfcBeam": (200, 200, 200, 255),
    "IfcStair": (170, 170, 160, 255),
    "IfcStairFlight": (170, 170, 160, 255),
    "IfcRailing": (90, 90, 90, 255),
}
DEFAULT_CONTEXT_COLOUR = (205, 205, 200, 255)
ROOM_COLOUR = (110, 160, 230, 160)


def to_y_up(vertices: np.ndarray) -> np.ndarray:
    """``(n, 3) float64`` IFC world (Z up) -> glTF (Y up): (x, y, z) -> (x, z, -y)."""
    return np.column_stack((vertices[:, 0], vertices[:, 2], -vertices[:, 1]))


@dataclass
class RoomNode:
    """A room to draw: its mesh and the attributes that go into its node's extras."""

    mesh: ElementMesh
    extras: dict = field(default_factory=dict)


def merge_meshes(meshes: Iterable[ElementMesh]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate meshes into one ``(n, 3) float64`` vertex and ``(m, 3) int64`` face array."""
    vertices, faces, offset = [], [], 0
    for mesh in meshes:
        vertices.append(mesh.vertices)
        faces.append(mesh.faces + offset)
        offset += len(mesh.vertices)
    if not vertices:
        return np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64)
    return np.concatenate(vertices), np.concatenate(faces)


def build_scene(rooms: Iterable[RoomNode], context: Iterable[ElementMesh], *, group: str | None = None,
                scene: GlbScene | None = None) -> GlbScene:
    """A scene with one node per room and one merged node per context IFC class.

    ``scene``: add the nodes to this scene (a building's storeys, each its own ``group``)."""
    rooms, context = list(rooms), list(context)
    load_meshes([room.mesh for room in rooms] + context)  # those from the cache, in one query
    scene = scene if scene is not None else GlbScene()
    prefix = f"{group}/" if group else ""
    for room in rooms:
        extras = {"kind": "room", "global_id": room.mesh.global_id, **room.extras}
        if group:
            extras["storey_global_id"] = group
        scene.add(f"{prefix}{room.mesh.global_id}", to_y_up(room.mesh.vertices), room.mesh.faces,
                  colour=ROOM_COLOUR, material="room", extras=extras)
    for ifc_class, meshes in _group_by_class(context):
        vertices, faces = merge_meshes(meshes)
        extras = {"kind": "context", "ifc_class": ifc_class, "count": len(meshes)}
        if group:
            extras["storey_global_id"] = group
        scene.add(f"{prefix}{ifc_class}", to_y_up(vertices), faces,
                  colour=CLASS_COLOURS.get(ifc_class, DEFAULT_CONTEXT_COLOUR), material=ifc_class, extras=extras)
    return scene


def _group_by_class(context: Iterable[ElementMesh]) -> list[tuple[str, list[ElementMesh]]]:
    """Context meshes by IFC class (sorted), each class in GlobalId order: a scene's bytes do
    not depend on the order of the file's elements."""
    by_class: dict[str, list[ElementMesh]] = {}
    for element in context:
        by_class.setdefault(element.ifc_class, []).append(element)
    return [(ifc_class, sorted(by_class[ifc_class], key=lambda m: m.global_id)) for ifc_class in sorted(by_class)]


def get_scene_key(rooms: Sequence[RoomNode], context: Sequence[ElementMesh], *, group: str | None = None) -> str:
    """A key for :func:`build_scene`'s output from the same inputs: equal keys, equal GLB bytes
    (this module's code and the GLB writer's are part of it)."""
    parts = [get_code_fingerprint(sys.modules[__name__], glb), group or ""]
    parts.extend(f"r{room.mesh.global_id}{sorted(room.extras.items())!r}{room.mesh.digest}" for room in rooms)
    parts.extend(f"c{ifc_class}:{','.join(m.digest for m in meshes)}" for ifc_class, meshes in _group_by_class(context))
    return hashlib.blake2b("|".join(parts).encode(), digest_size=20).hexdigest()


def export_glb(scene: GlbScene) -> bytes:
    """The scene as GLB bytes (an empty scene still gives a valid GLB)."""
    return scene.to_glb()


@dataclass(frozen=True)
class WrittenAsset:
    """A file written into the asset store: path relative to the store, its sha256 and size."""

    relative_path: str
    sha256: str
    size_bytes: int


def write_asset(root: Path, relative_path: str, data: bytes) -> WrittenAsset:
    """Write bytes atomically (temporary file + rename) under ``root``."""
    target = root / relative_path
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return WrittenAsset(relative_path, hashlib.sha256(data).hexdigest(), len(data))


def get_model_asset_dir(sha256: str) -> str:
    """The store folder of one model file's assets, content-addressed by the file's sha256."""
    return f"{sha256[:2]}/{sha256}"
