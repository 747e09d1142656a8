"""One element's mesh: its triangles in the world frame, or (from the geometry cache) not yet.

A new version of a model finds nearly all of its meshes in the geometry cache, and most of what
is made from them (measures, cuts, storey GLBs) is cached too, under the meshes' keys
(:attr:`ElementMesh.digest`). So a mesh found in the cache is made without its arrays
(:meth:`ElementMesh.from_cache`) and loads them when first used; :func:`load_meshes` loads many
in one query where a caller is about to use them all.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from twin.geometry.cache import GeometryCache
from twin.geometry.keys import get_mesh_digest
from twin.geometry.triangles import has_area_above
from twin.tolerances import DEGENERATE_TRIANGLE_AREA_M2


@dataclass(frozen=True)
class ElementMesh:
    """One element's triangles in the world frame.

    ``vertices`` is ``(n, 3) float64`` in metres, Z up; ``faces`` is ``(m, 3) int64`` indices.
    """

    global_id: str
    step_id: int
    ifc_class: str
    vertices: np.ndarray
    faces: np.ndarray
    content_key: str | None = dataclasses.field(default=None, compare=False, repr=False)  # the geometry cache's key

    @functools.cached_property
    def digest(self) -> str:
        """What identifies this mesh for what is made from it (measures, cuts, GLBs): the
        geometry cache key it was meshed or looked up under, which determines it, else a digest
        of the vertices and faces exactly as they are (computed once per mesh)."""
        if self.content_key is not None:
            return "k" + self.content_key
        return get_mesh_digest(self.vertices, self.faces)

    @property
    def is_empty(self) -> bool:
        """No triangles, or only degenerate ones (a profile with no area meshes to slivers)."""
        return not has_area_above(self.vertices, self.faces, DEGENERATE_TRIANGLE_AREA_M2)

    @classmethod
    def from_cache(cls, global_id: str, step_id: int, ifc_class: str, *, content_key: str, cache: GeometryCache) -> ElementMesh:
        """The mesh stored in ``cache`` under ``content_key``, its arrays loaded on first use."""
        mesh = object.__new__(cls)
        mesh.__dict__.update(global_id=global_id, step_id=step_id, ifc_class=ifc_class, content_key=content_key, _cache=cache)
        return mesh

    def __getattr__(self, name: str):  # only for attributes not set: a mesh from the cache's arrays
        if name in ("vertices", "faces") and "_cache" in self.__dict__:
            load_meshes([self])
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def load_meshes(meshes: Iterable[ElementMesh]) -> None:
    """Load the arrays of those of ``meshes`` that come from a cache and have not, one query per cache."""
    waiting: dict[int, tuple[GeometryCache, list[ElementMesh]]] = {}
    for mesh in meshes:
        cache = mesh.__dict__.get("_cache")
        if cache is not None:
            waiting.setdefault(id(cache), (cache, []))[1].append(mesh)
    for cache, group in waiting.values():
        found = cache.get_many(mesh.content_key for mesh in group)
        for mesh in group:
            cached = found.get(mesh.content_key)
            if cached is None:
                raise LookupError(f"the geometry cache lost the mesh of {mesh.ifc_class} {mesh.global_id} while it was in use")
            mesh.__dict__.update(vertices=cached.vertices, faces=cached.faces)
            del mesh.__dict__["_cache"]
