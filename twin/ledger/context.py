"""The context stage's geometry: a model's building elements meshed, by storey, and its walls cut.

The 3D context (walls, slabs, doors, windows...) needs nothing the rooms stage makes, so an
ingest makes it in its read-ahead child (:class:`~twin.ledger.readahead.ReadAhead`), on the
other core, while this process meshes, measures and stores the rooms; only the building
outlines (the rooms' footprints with the cut walls) and the assets are made here after.

What the child sends back is a :class:`ContextMeshes`: meshes it made travel as arrays, meshes
from the geometry cache as their keys (:meth:`ContextMeshes.attach` gives them this process's
cache, from which their arrays are loaded when first used), and the cut walls as geometries.
Coordinates are in the model's world frame (metres, Z up).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ifcopenshell
from shapely.geometry.base import BaseGeometry

from twin.geometry.cache import GeometryCache
from twin.geometry.mesher import MeshResult, mesh_elements
from twin.geometry.meshes import ElementMesh
from twin.geometry.section import CUT_CLASSES, cut_storeys
from twin.ifc.reader import IfcModel
from twin.ifc.spatial import SpatialStructure, get_element_storey
from twin.standards import get_standards


@dataclass(frozen=True)
class _CachedMesh:
    """A mesh from the geometry cache, as it travels between processes: its key, not its arrays."""

    global_id: str
    step_id: int
    ifc_class: str
    content_key: str


@dataclass
class ContextMeshes:
    """The context stage's meshes (:attr:`result`), the storey of each (element GlobalId ->
    storey GlobalId; an element in none is left out of the plans and assets) and each storey's
    cut walls, with the seconds each part took where it was made."""

    result: MeshResult
    storeys: dict[str, str]
    plan_walls: dict[str, BaseGeometry]
    timings: dict[str, float] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        meshes = {gid: _CachedMesh(gid, m.step_id, m.ifc_class, m.content_key) if "_cache" in m.__dict__ else m
                  for gid, m in self.result.meshes.items()}
        return {**self.__dict__, "result": dataclasses.replace(self.result, meshes=meshes)}

    def attach(self, cache: GeometryCache | None) -> ContextMeshes:
        """The meshes that came as cache keys, loaded from ``cache`` when first used (see the module docstring)."""
        meshes = self.result.meshes
        for gid, mesh in meshes.items():
            if isinstance(mesh, _CachedMesh):
                if cache is None:
                    raise ValueError("context meshes from a geometry cache need that cache")
                meshes[gid] = ElementMesh.from_cache(gid, mesh.step_id, mesh.ifc_class, content_key=mesh.content_key, cache=cache)
        return self


def mesh_context(model: IfcModel, structure: SpatialStructure, elements: list[ifcopenshell.entity_instance], *,
                 cache: GeometryCache | None, keys: dict[int, str] | None = None,
                 on_progress: Callable[[int, int], None] | None = None) -> ContextMeshes:
    """Mesh ``elements`` (``keys``: their cache keys, if made already), find each one's storey
    and cut each storey's walls at the plan's section height above its elevation."""
    started = time.perf_counter()
    result = mesh_elements(model.file, elements, on_progress=on_progress, cache=cache, keys=keys)
    storeys = {}
    for gid, mesh in result.meshes.items():
        storey = get_element_storey(structure, model.file, mesh.step_id, z_min=lambda mesh=mesh: float(mesh.vertices[:, 2].min()))
        if storey is not None:
            storeys[gid] = storey
    meshed = time.perf_counter()
    section = float(get_standards().settings.get("plan_section_height_m", 1.2))
    walls: dict[str, list[ElementMesh]] = {}
    for gid, storey in storeys.items():
        mesh = result.meshes[gid]
        walls.setdefault(storey, [])
        if mesh.ifc_class in CUT_CLASSES:
            walls[storey].append(mesh)
    plan_walls = cut_storeys({gid: (meshes, structure.storeys[gid].elevation_m + section) for gid, meshes in walls.items()},
                             cache=cache)
    timings = {"context_meshing": meshed - started, "cuts": time.perf_counter() - meshed}
    return ContextMeshes(result, storeys, plan_walls, timings)
