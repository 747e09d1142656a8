"""A binary glTF 2.0 (GLB) writer for what twin draws: named nodes of indexed triangles, each
with one PBR material and its extras.

trimesh writes GLB too, but it builds a scene graph, visuals and per-mesh caches first, which
cost more than the writing itself on a storey of a few hundred rooms. This writer takes arrays
as they are and lays them out once: per mesh an index view (``uint32``) then a position view
(``float32``, with the min/max glTF requires), every view on a 4-byte boundary; identical data
and identical materials written once and shared; extras on the mesh (three.js ``userData``),
the name on node and mesh.

Coordinates are written as given: callers pass the glTF frame (Y up, metres).

:func:`join_glbs` puts GLBs this writer made into one, each as a group (a building of its
storeys), without preparing any mesh again: the result is byte for byte what one scene of all
their nodes would give.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

_FLOAT, _UINT = 5126, 5125  # glTF componentType
_TRIANGLES = 4
_ARRAY_BUFFER, _ELEMENT_ARRAY_BUFFER = 34962, 34963


def _plain(value: Any) -> Any:
    """numpy scalars and arrays in extras as JSON values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} into glTF extras")


@dataclass
class GlbScene:
    """Nodes to write; :meth:`add` one per mesh, then :meth:`to_glb`."""

    _nodes: list[dict[str, Any]] = field(default_factory=list)
    _meshes: list[dict[str, Any]] = field(default_factory=list)
    _materials: list[dict[str, Any]] = field(default_factory=list)
    _material_index: dict[tuple, int] = field(default_factory=dict)
    _accessors: list[dict[str, Any]] = field(default_factory=list)
    _views: list[dict[str, Any]] = field(default_factory=list)
    _chunks: list[bytes] = field(default_factory=list)
    _length: int = 0
    _known: dict[bytes, int] = field(default_factory=dict)  # digest of an accessor's data -> the accessor

    def get_node_names(self) -> list[str]:
        """The names of the nodes added so far, in order."""
        return [node["name"] for node in self._nodes]

    def add(self, name: str, vertices: np.ndarray, faces: np.ndarray, *, colour: tuple[int, int, int, int],
            material: str, extras: dict[str, Any]) -> None:
        """A node and mesh named ``name``: ``vertices (n, 3)`` in the glTF frame, ``faces (m, 3)``
        indices into them, an RGBA 0-255 ``colour`` (alpha < 255: blended) named ``material``."""
        if len(faces) == 0 or len(vertices) == 0:
            self._add_node(name, extras, [])
            return
        positions = np.ascontiguousarray(vertices, dtype=np.float32)
        indices = np.ascontiguousarray(faces, dtype=np.uint32).reshape(-1)
        index_accessor = self._add_view(indices.tobytes(), _ELEMENT_ARRAY_BUFFER, {
            "componentType": _UINT, "type": "SCALAR", "count": int(indices.size),
        })
        position_accessor = self._add_view(positions.tobytes(), _ARRAY_BUFFER, {
            "componentType": _FLOAT, "type": "VEC3", "count": len(positions),
            "min": positions.min(axis=0).tolist(), "max": positions.max(axis=0).tolist(),
        })
        primitive = {"attributes": {"POSITION": position_accessor}, "indices": index_accessor, "mode": _TRIANGLES,
                     "material": self._get_material(colour, material)}
        self._add_node(name, extras, [primitive])

    def add_glb(self, data: bytes, *, group: str) -> None:
        """Every node of a GLB this writer made, as :meth:`add` would have added it with its name
        prefixed ``group/`` and ``storey_global_id: group`` in its extras (a building's storeys):
        its data and materials are shared as :meth:`add` shares them, no mesh prepared again."""
        document, binary = read_glb(data)
        materials = [self._get_material(_get_colour(m), m["name"]) for m in document.get("materials", [])]
        views = document.get("bufferViews", [])
        accessors = [
            self._add_view(binary[view["byteOffset"] : view["byteOffset"] + view["byteLength"]], view["target"],
                           {k: v for k, v in accessor.items() if k != "bufferView"})
            for accessor in document.get("accessors", [])
            for view in (views[accessor["bufferView"]],)
        ]
        meshes = document.get("meshes", [])
        for node in document.get("nodes", []):
            mesh = meshes[node["mesh"]] if "mesh" in node else node
            primitives = [{**primitive, "attributes": {key: accessors[index] for key, index in primitive["attributes"].items()},
                           "indices": accessors[primitive["indices"]], "material": materials[primitive["material"]]}
                          for primitive in mesh.get("primitives", [])]
            self._add_node(f"{group}/{node['name']}", {**mesh.get("extras", {}), "storey_global_id": group}, primitives)

    def _add_node(self, name: str, extras: dict[str, Any], primitives: list[dict[str, Any]]) -> None:
        """A node named ``name``; with ``primitives``, a mesh of the same name and extras (the
        node draws it), else the extras on the node (it draws nothing)."""
        if not primitives:
            self._nodes.append({"name": name, "extras": extras})
            return
        self._meshes.append({"name": name, "extras": extras, "primitives": primitives})
        self._nodes.append({"name": name, "mesh": len(self._meshes) - 1})

    def _add_view(self, data: bytes, target: int, accessor: dict[str, Any]) -> int:
        """An accessor over ``data``; the same data (rooms of one shape share their indices)
        is written once and its accessor shared."""
        digest = hashlib.blake2b(data, digest_size=16, person=accessor["type"].encode()).digest()
        known = self._known.get(digest)
        if known is not None:
            return known
        self._known[digest] = len(self._accessors)
        self._views.append({"buffer": 0, "byteOffset": self._length, "byteLength": len(data), "target": target})
        self._chunks.append(data)
        self._length += len(data)
        padding = -len(data) % 4  # float32 and uint32 data are whole words already; kept for safety
        if padding:
            self._chunks.append(b"\0" * padding)
            self._length += padding
        self._accessors.append({"bufferView": len(self._views) - 1, **accessor})
        return len(self._accessors) - 1

    def _get_material(self, colour: tuple[int, int, int, int], name: str) -> int:
        key = (tuple(colour), name)
        index = self._material_index.get(key)
        if index is None:
            index = self._material_index[key] = len(self._materials)
            self._materials.append({
                "name": name, "doubleSided": True, "alphaMode": "BLEND" if colour[3] < 255 else "OPAQUE",
                "pbrMetallicRoughness": {"baseColorFactor": [c / 255.0 for c in colour], "metallicFactor": 0.0, "roughnessFactor": 0.9},
            })
        return index

    def to_glb(self) -> bytes:
        """The scene as GLB bytes: header, JSON chunk, and (when there is geometry) BIN chunk."""
        document: dict[str, Any] = {"asset": {"version": "2.0", "generator": "twin"}, "scene": 0, "scenes": [{}]}
        if self._nodes:  # glTF arrays, when present, hold at least one item
            document.update(scenes=[{"nodes": list(range(len(self._nodes)))}], nodes=self._nodes)
        if self._meshes:
            document.update(meshes=self._meshes, materials=self._materials, accessors=self._accessors,
                            bufferViews=self._views, buffers=[{"byteLength": self._length}])
        text = orjson.dumps(document, default=_plain)  # compact UTF-8, as json.dumps(separators=...) writes it, faster
        text += b" " * (-len(text) % 4)
        chunks = [struct.pack("<I4s", len(text), b"JSON"), text]
        if self._meshes:
            chunks += [struct.pack("<I4s", self._length, b"BIN\0"), *self._chunks]
        body = b"".join(chunks)
        return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def read_glb(data: bytes) -> tuple[dict[str, Any], bytes]:
    """A GLB's JSON document and its BIN chunk (empty when it has none)."""
    magic, version, length = struct.unpack_from("<4sII", data) if len(data) >= 20 else (b"", 0, -1)
    if magic != b"glTF" or version != 2 or length != len(data):
        raise ValueError("not a glTF 2.0 binary")
    json_length, _ = struct.unpack_from("<I4s", data, 12)
    document = orjson.loads(data[20 : 20 + json_length])
    offset = 20 + json_length
    binary = b""
    if offset < len(data):
        bin_length, _ = struct.unpack_from("<I4s", data, offset)
        binary = data[offset + 8 : offset + 8 + bin_length]
    return document, binary


def join_glbs(parts: list[tuple[bytes, str]]) -> bytes:
    """One GLB of ``(glb bytes, group)`` parts made by :class:`GlbScene` (see :meth:`GlbScene.add_glb`)."""
    scene = GlbScene()
    for data, group in parts:
        scene.add_glb(data, group=group)
    return scene.to_glb()


def _get_colour(material: dict[str, Any]) -> tuple[int, int, int, int]:
    """The RGBA 0-255 colour :meth:`GlbScene._get_material` wrote as a base colour factor."""
    return tuple(round(c * 255.0) for c in material["pbrMetallicRoughness"]["baseColorFactor"])
